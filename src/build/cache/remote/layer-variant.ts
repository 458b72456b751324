import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Descriptor } from '../../../oci/descriptor';
import { digestHex, isDigest } from '../../../oci/digest';
import { layerCompression, layerMediaType, type Compression } from '../../../oci/media-types';
import { writeFileAtomic } from '../../../store/atomic-write';
import type { Store } from '../../../store/store';
import { createCompressStream, createDecompressStream } from '../../../stream/compression';

/** Where a layer's variant in another compression is remembered: cache/variants/<hex of the layer>.<compression>.json. */
function variantFile(store: Store, layer: Descriptor, compression: Compression): string {
  return path.join(store.paths.cache, 'variants', `${digestHex(layer.digest)}.${compression}.json`);
}

async function remembered(store: Store, file: string): Promise<Descriptor | undefined> {
  try {
    const d = JSON.parse(await fs.readFile(file, 'utf8')) as Descriptor;
    // renewed: a prune must not take it now that an export names it; gone means make it again
    return isDigest(d.digest) && (await store.content.renew([d.digest])).length === 0 ? d : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `compression=zstd` (or gzip) for a cache export, as BuildKit's exporter
 * converts layers: the blob recompressed into the store (same diffID, new
 * digest), made once per layer and remembered beside the build cache
 * records. A layer already in that compression is returned as it is.
 */
export async function layerVariant(store: Store, layer: Descriptor, compression: Compression, signal?: AbortSignal): Promise<Descriptor> {
  const from = layerCompression(layer.mediaType) ?? 'none';
  if (from === compression) return layer;
  const file = variantFile(store, layer, compression);
  const known = await remembered(store, file);
  if (known !== undefined) return known;
  const writer = await store.content.writer(signal ? { signal } : {});
  try {
    const src = await store.content.open(layer, signal ? { signal } : {});
    await pipeline(src, createDecompressStream(from), createCompressStream(compression), writer, signal ? { signal } : {});
    const c = await writer.commit();
    const variant: Descriptor = { mediaType: layerMediaType(compression), digest: c.digest, size: c.size };
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify(variant));
    return variant;
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
}
