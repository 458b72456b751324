import type { Descriptor } from '../../oci/descriptor';
import { digestOf, type Digest } from '../../oci/digest';
import type { ImageManifest } from '../../oci/manifest';
import { layerCompression } from '../../oci/media-types';
import { writeBlobBytes } from '../../store/helpers';
import type { Store } from '../../store/store';

/**
 * The seam for the layer engine's compressor (src/stream/compression*.ts):
 * given an uncompressed layer in the store, write its compressed form into
 * the store (digest and size computed in the same pass) and return that
 * blob's descriptor (media type +gzip / +zstd). The config's diff_ids do not
 * change: they name the uncompressed tar.
 */
export type LayerCompressor = (store: Store, layer: Descriptor, signal?: AbortSignal) => Promise<Descriptor>;

/** Rewrite a manifest with its uncompressed layers compressed; returns the new manifest and bytes. */
export async function applyCompressor(
  store: Store,
  manifest: ImageManifest,
  compress: LayerCompressor,
  signal?: AbortSignal,
): Promise<{ manifest: ImageManifest; raw: Buffer; digest: Digest }> {
  const layers: Descriptor[] = [];
  for (const layer of manifest.layers) {
    layers.push(layerCompression(layer.mediaType) === 'none' ? await compress(store, layer, signal) : layer);
  }
  const next: ImageManifest = { ...manifest, layers };
  const raw = Buffer.from(JSON.stringify(next));
  await writeBlobBytes(store.content, raw, signal);
  return { manifest: next, raw, digest: digestOf(raw) };
}
