// The layer workload's fixture: a ~1 GiB, ~7,500-file tree copied from /usr/lib (real binaries,
// so compression ratios are real), plus the layers hoist packs from it, cached under workDir.
import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { diffTrees, writeLayer } from '../../src/layer';
import { MediaType, type Compression, type Descriptor } from '../../src/oci';
import { Store, writeBlobBytes } from '../../src/store';
import type { BenchContext } from '../harness/types';

const FIXTURE_VERSION = 1;
const SIZES = { full: { name: '1g', bytes: 1024 * 2 ** 20, files: 7500 }, quick: { name: 'quick', bytes: 20 * 2 ** 20, files: 400 } };

export interface LayerState {
  tree: string;
  treeBytes: number;
  files: number;
  /** a store holding the tree packed as gzip and as an uncompressed tar */
  store: string;
  gzipBlob: string;
  tarBlob: string;
  /** an OCI layout with the gzip layer, tagged `bench`, for umoci */
  layout: string;
}

function listFiles(root: string): Array<{ path: string; size: number }> {
  const out: Array<{ path: string; size: number }> = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size > 0) out.push({ path: p, size: st.size });
    }
  };
  walk(root);
  return out;
}

/** Picks files from `source` so that about `bytes` in about `files` files are copied to `tree`. */
export function makeTree(source: string, tree: string, bytes: number, files: number): { bytes: number; files: number } {
  const all = listFiles(source);
  const bySize = [...all].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const chosen = new Set<string>();
  let total = 0;
  for (const f of bySize) {
    if (total >= bytes * 0.88 || chosen.size >= files * 0.2) break;
    if (f.size > 64 * 2 ** 20) continue;
    chosen.add(f.path);
    total += f.size;
  }
  for (const f of all) {
    if (chosen.size >= files || total >= bytes) break;
    if (!chosen.has(f.path) && f.size < 2 ** 20) {
      chosen.add(f.path);
      total += f.size;
    }
  }
  for (const p of [...chosen].sort()) {
    const dest = join(tree, relative(source, p));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(p, dest);
  }
  return { bytes: total, files: chosen.size };
}

async function packInto(store: Store, tree: string, compression: Compression): Promise<{ desc: Descriptor; diffId: string }> {
  const w = await writeLayer(store.content, await diffTrees(undefined, tree), { compression, sourceDateEpoch: 0 });
  return { desc: w.descriptor, diffId: w.diffId };
}

/** Builds (or finds) the tree, its gzip and plain layers, and the umoci layout. */
export async function setupLayerFixture(ctx: BenchContext): Promise<LayerState> {
  const size = ctx.quick ? SIZES.quick : SIZES.full;
  const base = join(ctx.workDir, 'fixtures', `layer-${size.name}-v${FIXTURE_VERSION}`);
  const meta = join(base, 'state.json');
  if (existsSync(meta)) return JSON.parse(readFileSync(meta, 'utf8')) as LayerState;
  const tree = join(base, 'tree');
  ctx.log(`fixture: copying ~${size.bytes / 2 ** 20} MiB of /usr/lib into ${tree}`);
  const made = makeTree('/usr/lib', tree, size.bytes, size.files);
  const store = await Store.open(join(base, 'store'));
  const gz = await packInto(store, tree, 'gzip');
  const plain = await packInto(store, tree, 'none');
  const layout = join(base, 'layout');
  await writeUmociLayout(store, layout, gz.desc, gz.diffId);
  const state: LayerState = {
    tree,
    treeBytes: made.bytes,
    files: made.files,
    store: store.root,
    gzipBlob: store.paths.blob(gz.desc.digest),
    tarBlob: store.paths.blob(plain.desc.digest),
    layout,
  };
  writeFileSync(meta, JSON.stringify(state, null, 2));
  ctx.log(`fixture: ${made.files} files, ${(made.bytes / 2 ** 20).toFixed(0)} MiB`);
  return state;
}

async function writeUmociLayout(store: Store, layout: string, layer: Descriptor, diffId: string): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId] } }));
  const cfg = await writeBlobBytes(store.content, config);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: cfg.digest, size: cfg.size }, layers: [layer] }),
  );
  const m = await writeBlobBytes(store.content, manifest);
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  for (const d of [m.digest, cfg.digest, layer.digest]) copyFileSync(store.paths.blob(d), join(layout, 'blobs', 'sha256', d.slice(7)));
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const desc = { mediaType: MediaType.OciManifest, digest: m.digest, size: m.size, annotations: { 'org.opencontainers.image.ref.name': 'bench' } };
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [desc] }));
}
