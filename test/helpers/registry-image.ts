import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { Annotation, type Descriptor } from '../../src/oci/descriptor';
import { digestOf } from '../../src/oci/digest';
import type { ImageConfig, ImageIndex, ImageManifest } from '../../src/oci/manifest';
import { MediaType } from '../../src/oci/media-types';
import type { Platform } from '../../src/oci/platform';
import { writeBlobBytes } from '../../src/store/helpers';
import type { Store } from '../../src/store/store';
import { setTag } from '../../src/store/tags';

/** A layer tar of a few files (deterministic: fixed mtimes, sorted names). */
export type LayerFile = string | Buffer | { data: Buffer | string; mode: number };

export async function makeLayerTar(files: Record<string, LayerFile>): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const name of Object.keys(files).sort()) {
    const f = files[name]!;
    const body = typeof f === 'string' || Buffer.isBuffer(f) ? f : f.data;
    const mode = typeof f === 'string' || Buffer.isBuffer(f) ? 0o644 : f.mode;
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name, mode, mtime: new Date(0), uid: 0, gid: 0 }, body, (err) => (err ? reject(err) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export interface TestImageSpec {
  layers: Array<Record<string, LayerFile>>;
  platform?: Platform;
  /** gzip the layers (default: uncompressed, as docker save gives them) */
  gzip?: boolean;
  /** a label to make images differ */
  label?: string;
}

export interface TestImage {
  descriptor: Descriptor;
  manifest: ImageManifest;
  raw: Buffer;
  config: ImageConfig;
  blobs: Descriptor[];
}

/** Build a small image by code into the store (blobs + manifest), optionally tagged. */
export async function buildTestImage(store: Store, spec: TestImageSpec, tag?: string): Promise<TestImage> {
  const platform = spec.platform ?? { os: 'linux', architecture: 'amd64' };
  const layers: Descriptor[] = [];
  const diffIds = [];
  for (const files of spec.layers) {
    const tarBytes = await makeLayerTar(files);
    diffIds.push(digestOf(tarBytes));
    const blob = spec.gzip ? gzipSync(tarBytes) : tarBytes;
    await writeBlobBytes(store.content, blob);
    layers.push({ mediaType: spec.gzip ? MediaType.OciLayerGzip : MediaType.OciLayer, digest: digestOf(blob), size: blob.length });
  }
  const config: ImageConfig = {
    ...platform,
    created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['/bin/sh'], Labels: { 'test.label': spec.label ?? 'x' } },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: layers.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'test' })),
  };
  const rawConfig = Buffer.from(JSON.stringify(config));
  await writeBlobBytes(store.content, rawConfig);
  const configDesc: Descriptor = { mediaType: MediaType.OciConfig, digest: digestOf(rawConfig), size: rawConfig.length };
  const manifest: ImageManifest = { schemaVersion: 2, mediaType: MediaType.OciManifest, config: configDesc, layers };
  const raw = Buffer.from(JSON.stringify(manifest));
  await writeBlobBytes(store.content, raw);
  const descriptor: Descriptor = { mediaType: MediaType.OciManifest, digest: digestOf(raw), size: raw.length, platform };
  if (tag !== undefined) await setTag(store.index, tag, descriptor);
  return { descriptor, manifest, raw, config, blobs: [configDesc, ...layers] };
}

/** An index over images already in the store, tagged. */
export async function buildTestIndex(store: Store, images: TestImage[], tag?: string): Promise<{ descriptor: Descriptor; raw: Buffer }> {
  const index: ImageIndex = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: images.map((i) => ({ mediaType: i.descriptor.mediaType, digest: i.descriptor.digest, size: i.descriptor.size, platform: i.descriptor.platform! })),
  };
  const raw = Buffer.from(JSON.stringify(index));
  await writeBlobBytes(store.content, raw);
  const descriptor: Descriptor = { mediaType: MediaType.OciIndex, digest: digestOf(raw), size: raw.length };
  if (tag !== undefined) await setTag(store.index, tag, descriptor);
  return { descriptor, raw };
}

/** Where an entry of the store's index points, by its full reference name. */
export async function taggedDescriptor(store: Store, name: string): Promise<Descriptor | undefined> {
  const idx = await store.index.read();
  return idx.manifests.find((m) => m.annotations?.[Annotation.RefName] === name);
}
