import type { Descriptor } from './descriptor';
import { digestOf } from './digest';
import type { ImageManifest } from './manifest';
import { MediaType } from './media-types';
import { parseManifest } from './parse-documents';

/** Docker v2 schema 2 media types and their OCI names, as skopeo's manifest conversion maps them. */
const OCI_TYPE_OF: Record<string, string> = {
  [MediaType.DockerConfig]: MediaType.OciConfig,
  [MediaType.DockerLayer]: MediaType.OciLayer,
  [MediaType.DockerLayerGzip]: MediaType.OciLayerGzip,
  [MediaType.DockerLayerZstd]: MediaType.OciLayerZstd,
  [MediaType.DockerForeignLayerGzip]: MediaType.OciLayerNondistributableGzip,
  'application/vnd.docker.image.rootfs.foreign.diff.tar': MediaType.OciLayerNondistributable,
};

/** The descriptor with its media type renamed; fields in the spec's order (so the bytes match skopeo's). */
function renamed(d: Descriptor): Descriptor {
  return {
    mediaType: OCI_TYPE_OF[d.mediaType] ?? d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.urls !== undefined ? { urls: d.urls } : {}),
    ...(d.annotations !== undefined ? { annotations: d.annotations } : {}),
  };
}

export interface OciManifestOf {
  manifest: ImageManifest;
  /** the bytes to store: the manifest JSON, compact, as skopeo writes it */
  raw: Buffer;
  descriptor: Descriptor;
}

/**
 * The OCI image manifest to record for a registry's manifest, or undefined
 * when it is one already. A Docker v2 schema 2 manifest names the same
 * config and layers (same bytes, same digests) under Docker media types;
 * skopeo's `oci:` transport and umoci read only OCI ones, so the store's
 * index.json names this conversion (what `skopeo copy docker:// oci:` writes)
 * while the registry's manifest stays in the store beside it for its digest.
 */
export function toOciManifest(rawManifest: Buffer): OciManifestOf | undefined {
  const m = parseManifest(rawManifest);
  if (m.mediaType !== MediaType.DockerManifest) return undefined;
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: renamed(m.config),
    layers: m.layers.map(renamed),
    ...(m.annotations !== undefined ? { annotations: m.annotations } : {}),
  };
  const raw = Buffer.from(JSON.stringify(manifest));
  return { manifest, raw, descriptor: { mediaType: MediaType.OciManifest, digest: digestOf(raw), size: raw.length } };
}
