import { ImageError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import type { ImageConfig } from '../../oci/manifest';
import { layerCompression } from '../../oci/media-types';
import type { IngestedArchive, IngestedBlob } from './ingest-archive';

/**
 * A layer's diffID must match the config's rootfs.diff_ids: for an
 * uncompressed tar the blob digest is the diffID; for gzip the decompressed
 * digest computed while loading. (zstd layers are checked at unpack.)
 */
export function verifyImageLayers(config: ImageConfig, layers: Descriptor[], archive: IngestedArchive): void {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length) {
    throw new ImageError('ARCHIVE_INVALID', `the config lists ${diffIds.length} diff_ids but the manifest has ${layers.length} layers`, {
      expected: diffIds.length,
      found: layers.length,
    });
  }
  const byDigest = new Map<string, IngestedBlob>();
  for (const b of archive.blobs.values()) byDigest.set(b.digest, b);
  layers.forEach((layer, i) => {
    const expected = diffIds[i]!;
    const compression = layerCompression(layer.mediaType);
    const blob = byDigest.get(layer.digest);
    let found: string | undefined;
    if (compression === 'none') found = layer.digest;
    else if (compression === 'gzip') found = blob?.diffId;
    if (found !== undefined && found !== expected) {
      throw new ImageError('ARCHIVE_INVALID', `layer ${i} (${layer.digest}) has diffID ${found}, but the config expects ${expected}`, {
        layer: layer.digest,
        expected,
        found,
      });
    }
  });
}
