import * as fs from 'node:fs';
import * as path from 'node:path';
import { diffTrees, writeLayer } from '../../src/layer';
import { MediaType, type Descriptor, type Digest, type ImageConfig, type ImageManifest, type Compression } from '../../src/oci';
import { copyTree } from '../../src/snapshot';
import { writeBlobBytes, type Store } from '../../src/store';

export interface BuiltImage {
  manifest: ImageManifest;
  config: ImageConfig;
  manifestDescriptor: Descriptor;
  /** the full tree after the last step, for comparisons */
  finalTree: string;
}

/**
 * Builds an image step by step in `workDir` (each step changes a copy of the
 * previous tree; the layer is the tree diff) and writes it into the store.
 */
export async function buildImage(
  store: Store,
  workDir: string,
  steps: ReadonlyArray<(root: string) => void | Promise<void>>,
  compression: Compression = 'gzip',
): Promise<BuiltImage> {
  const layers: Descriptor[] = [];
  const diffIds: Digest[] = [];
  let prev: string | undefined;
  for (const [i, step] of steps.entries()) {
    const dir = path.join(workDir, `step-${i}`);
    fs.mkdirSync(dir, { recursive: true });
    if (prev !== undefined) await copyTree(prev, dir);
    await step(dir);
    const written = await writeLayer(store.content, await diffTrees(prev, dir), { compression });
    layers.push(written.descriptor);
    diffIds.push(written.diffId);
    prev = dir;
  }
  const config: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } };
  const rawConfig = Buffer.from(JSON.stringify(config));
  const cfg = await writeBlobBytes(store.content, rawConfig);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: cfg.digest, size: cfg.size },
    layers,
  };
  const rawManifest = Buffer.from(JSON.stringify(manifest));
  const m = await writeBlobBytes(store.content, rawManifest);
  return { manifest, config, manifestDescriptor: { mediaType: MediaType.OciManifest, digest: m.digest, size: m.size }, finalTree: prev ?? workDir };
}

/** Three steps with adds, changes, a deleted file, a deleted directory and an opaque-style replace. */
export const SAMPLE_STEPS: ReadonlyArray<(root: string) => void> = [
  (r) => {
    fs.mkdirSync(path.join(r, 'etc'));
    fs.writeFileSync(path.join(r, 'etc/os-release'), 'ID=hoist\n');
    fs.mkdirSync(path.join(r, 'usr/lib/pkg'), { recursive: true });
    fs.writeFileSync(path.join(r, 'usr/lib/pkg/a.so'), 'a');
    fs.writeFileSync(path.join(r, 'usr/lib/pkg/b.so'), 'b');
    fs.writeFileSync(path.join(r, 'tmpfile'), 'gone later');
  },
  (r) => {
    fs.writeFileSync(path.join(r, 'etc/os-release'), 'ID=hoist\nVERSION=2\n');
    fs.rmSync(path.join(r, 'tmpfile'));
    fs.mkdirSync(path.join(r, 'app'));
    fs.writeFileSync(path.join(r, 'app/main.js'), 'console.log(1)\n');
  },
  (r) => {
    fs.rmSync(path.join(r, 'usr/lib/pkg'), { recursive: true });
    fs.writeFileSync(path.join(r, 'app/extra.js'), '2\n');
  },
];
