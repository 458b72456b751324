import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { normalizeEntryName, readTar, type EntryType, type TarHeader } from '../../src/layer';
import { DecompressAuto } from '../../src/stream';
import { tmpDir } from './tmp';

/** One layer entry, with what the differential suite compares (no mtime: builds differ in time). */
export interface ImageEntry {
  /** normalized: no leading `./` or `/`, no trailing slash; the root is `.` */
  path: string;
  type: EntryType;
  /** permission and special bits (0o7777) */
  mode: number;
  uid: number;
  gid: number;
  /** bytes of a regular file's body (0 for others) */
  size: number;
  /** sha256 hex of a file's body (and, in a flattened tree, of a hard link's target) */
  sha256?: string;
  /** a small text file's body (up to TEXT_LIMIT bytes of UTF-8), so reports can show it */
  text?: string;
  /** symlink target, or the hard link's target path (normalized) */
  linkname?: string;
  /** `major:minor` of a char or block device */
  rdev?: string;
  /** xattr name -> value as hex */
  xattrs?: Record<string, string>;
}

/** The image config blob as written (only the parts the comparer reads are typed). */
export interface ImageConfigFile {
  architecture?: string;
  os?: string;
  author?: string;
  config?: Record<string, unknown> | null;
  history?: { created_by?: string; empty_layer?: boolean; comment?: string; created?: string }[];
  rootfs?: { type: string; diff_ids: string[] };
}

/** An image read out of a saved archive: its config and each layer's entries, in archive order. */
export interface ArchiveImage {
  config: ImageConfigFile;
  layers: ImageEntry[][];
}

function entryOf(h: TarHeader): ImageEntry {
  const p = normalizeEntryName(h.name);
  const e: ImageEntry = { path: p === '' ? '.' : p, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, size: h.type === 'file' ? h.size : 0 };
  if (h.type === 'symlink') e.linkname = h.linkname ?? '';
  if (h.type === 'link') e.linkname = normalizeEntryName(h.linkname ?? '');
  if (h.type === 'char' || h.type === 'block') e.rdev = `${h.devmajor ?? 0}:${h.devminor ?? 0}`;
  if (h.xattrs !== undefined && h.xattrs.size > 0) {
    e.xattrs = Object.fromEntries([...h.xattrs].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString('hex')]));
  }
  return e;
}

export const TEXT_LIMIT = 256;

function textOf(body: Buffer): string | undefined {
  const s = body.toString('utf8');
  return Buffer.from(s, 'utf8').equals(body) && !/[\x00-\x08\x0e-\x1f]/.test(s) ? s : undefined;
}

/** Read one layer (any compression) with the project's tar reader: entries with content hashes. */
export async function readLayerEntries(file: string): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  const source = fs.createReadStream(file, { highWaterMark: 1 << 20 });
  const plain = new DecompressAuto();
  const feeding = pipeline(source, plain);
  await readTar(plain, (h) => {
    const e = entryOf(h);
    out.push(e);
    if (h.type !== 'file') return undefined;
    const hash = createHash('sha256');
    const small: Buffer[] = [];
    return {
      data: (chunk) => {
        hash.update(chunk);
        if (h.size <= TEXT_LIMIT) small.push(Buffer.from(chunk));
      },
      end: () => {
        e.sha256 = hash.digest('hex');
        const text = h.size <= TEXT_LIMIT ? textOf(Buffer.concat(small)) : undefined;
        if (text !== undefined) e.text = text;
      },
    };
  });
  await feeding;
  return out;
}

/**
 * Read a saved image archive (`docker save`'s legacy layout or `hoist save`'s
 * OCI-plus-manifest.json layout): the first image in manifest.json.
 */
export async function readImageArchive(file: string): Promise<ArchiveImage> {
  const dir = tmpDir('hoist-image-archive-');
  try {
    const r = spawnSync('tar', ['-xf', file, '-C', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cannot unpack ${file}: ${r.stderr}`);
    const manifestFile = path.join(dir, 'manifest.json');
    if (!fs.existsSync(manifestFile)) throw new Error(`${file} has no manifest.json (not a docker-archive)`);
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { Config: string; Layers: string[] }[];
    const first = manifest[0];
    if (first === undefined) throw new Error(`${file}: manifest.json lists no image`);
    const config = JSON.parse(fs.readFileSync(path.join(dir, first.Config), 'utf8')) as ImageConfigFile;
    const layers: ImageEntry[][] = [];
    for (const l of first.Layers) layers.push(await readLayerEntries(path.join(dir, l)));
    return { config, layers };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
