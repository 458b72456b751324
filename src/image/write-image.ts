import type { Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import type { ImageConfig, ImageManifest } from '../oci/manifest';
import { MediaType } from '../oci/media-types';
import { ImageError } from '../errors';
import { writeBlobBytes, type Store } from '../store';
import { recordImage } from './record-image';

export interface WriteImageOptions {
  /** the complete config; `rootfs.diff_ids` must match `layers` one to one */
  config: ImageConfig;
  /** the layer blobs, bottom first, already in the store */
  layers: Descriptor[];
  /** full normalised references to point at the image; none: an untagged entry */
  tags?: string[];
  /** OCI (default) or Docker v2 media types for the manifest and config */
  mediaTypeFamily?: 'oci' | 'docker';
  annotations?: Record<string, string>;
  signal?: AbortSignal;
}

export interface WrittenImage {
  manifest: Descriptor;
  config: Descriptor;
  rawManifest: Buffer;
  rawConfig: Buffer;
  /** docker's image ID: the config digest */
  id: Digest;
}

/**
 * The builder's image writer: config blob, then `recordImage` (manifest blob,
 * then the tags; where pull and load end too) — in that order, so the store is
 * consistent at every step. The caller holds a store lease from the first
 * layer write until this returns (the tags are then what keeps the blobs).
 */
export async function writeImage(store: Store, options: WriteImageOptions): Promise<WrittenImage> {
  const { config, layers } = options;
  if (config.rootfs.diff_ids.length !== layers.length) {
    throw new ImageError('MANIFEST_INVALID', `the config has ${config.rootfs.diff_ids.length} diff_ids for ${layers.length} layers`, {
      diffIds: config.rootfs.diff_ids.length,
      layers: layers.length,
    });
  }
  const docker = options.mediaTypeFamily === 'docker';
  const rawConfig = Buffer.from(JSON.stringify(config));
  const configRes = await writeBlobBytes(store.content, rawConfig, options.signal);
  const configDesc: Descriptor = { mediaType: docker ? MediaType.DockerConfig : MediaType.OciConfig, digest: configRes.digest, size: configRes.size };
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: docker ? MediaType.DockerManifest : MediaType.OciManifest,
    config: configDesc,
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size, ...(l.annotations ? { annotations: l.annotations } : {}) })),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const rawManifest = Buffer.from(JSON.stringify(manifest));
  const platform = { architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) };
  const recorded = await recordImage(store, { rawManifest, mediaType: manifest.mediaType as string, platform, tags: options.tags ?? [], ...(options.signal ? { signal: options.signal } : {}) });
  const manifestDesc = recorded.manifest;
  return { manifest: manifestDesc, config: configDesc, rawManifest, rawConfig, id: configDesc.digest };
}
