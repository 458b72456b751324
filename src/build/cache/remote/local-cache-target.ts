import { createWriteStream } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { isErrno } from '../../../errors';
import { Annotation, type Descriptor } from '../../../oci/descriptor';
import { digestHex } from '../../../oci/digest';
import { MediaType } from '../../../oci/media-types';
import { writeFileAtomic } from '../../../store/atomic-write';
import type { Store } from '../../../store/store';
import type { CacheManifest } from './cache-manifest';
import type { ExportCounts, ExportTargetOptions } from './registry-cache-target';

async function hasBlob(file: string, size: number): Promise<boolean> {
  const st = await fs.stat(file).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  });
  return st?.size === size;
}

/**
 * BuildKit's local cache (`type=local,dest=DIR`): an OCI layout directory
 * (oci-layout, blobs/sha256/, index.json) whose index.json names the cache
 * manifest by tag (`latest` unless `tag=`), replacing the entry of the same
 * tag. Blobs already in DIR are not copied again; every file is written to a
 * temp name and renamed, index.json last.
 */
export async function writeLocalCache(store: Store, dir: string, tag: string, layers: readonly Descriptor[], cm: CacheManifest, options: ExportTargetOptions): Promise<ExportCounts> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fs.mkdir(blobs, { recursive: true });
  const counts: ExportCounts = { uploaded: 0, skipped: 0 };
  const tmpOf = (file: string) => `${file}.tmp-${process.pid}`;
  for (const desc of layers) {
    const file = path.join(blobs, digestHex(desc.digest));
    if (await hasBlob(file, desc.size)) {
      counts.skipped++;
      continue;
    }
    await options.ensureLocal(desc);
    const src = await store.content.open(desc, options.signal ? { signal: options.signal } : {});
    try {
      await pipeline(src, createWriteStream(tmpOf(file)), options.signal ? { signal: options.signal } : {});
      await fs.rename(tmpOf(file), file);
    } finally {
      await fs.rm(tmpOf(file), { force: true });
    }
    counts.uploaded++;
  }
  for (const doc of [cm.config, cm.manifest]) {
    const file = path.join(blobs, digestHex(doc.descriptor.digest));
    if (!(await hasBlob(file, doc.raw.length))) await writeFileAtomic(file, doc.raw);
  }
  if (!(await fs.stat(path.join(dir, 'oci-layout')).then(() => true, () => false))) await writeFileAtomic(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  let index: { schemaVersion: number; mediaType?: string; manifests: Descriptor[] } = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] };
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as typeof index;
    if (Array.isArray(parsed.manifests)) index = parsed;
  } catch (err) {
    if (!isErrno(err, 'ENOENT') && !(err instanceof SyntaxError)) throw err;
  }
  index.manifests = index.manifests.filter((m) => m.annotations?.[Annotation.RefName] !== tag);
  index.manifests.push({ ...cm.manifest.descriptor, annotations: { [Annotation.RefName]: tag } });
  await writeFileAtomic(path.join(dir, 'index.json'), JSON.stringify(index));
  return counts;
}

