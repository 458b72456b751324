import type { Descriptor } from '../../../oci/descriptor';
import { digestOf } from '../../../oci/digest';
import { MediaType } from '../../../oci/media-types';
import { CACHE_CONFIG_MEDIA_TYPE } from './cache-config';
import type { ExportGraph } from './export-graph';

export interface CacheManifest {
  /** the cacheconfig blob */
  config: { descriptor: Descriptor; raw: Buffer };
  /** the index (or image manifest) that names the layers and the config */
  manifest: { descriptor: Descriptor; raw: Buffer };
}

/**
 * The cache manifest as BuildKit's exporter writes it (remotecache/export.go):
 * an OCI index (a Docker manifest list with oci-mediatypes=false) whose
 * entries are the layers, then the cacheconfig blob; or with
 * image-manifest=true an OCI image manifest whose config is the cacheconfig.
 */
export function cacheManifest(graph: ExportGraph, options: { oci: boolean; imageManifest: boolean }): CacheManifest {
  const configRaw = Buffer.from(JSON.stringify(graph.config));
  const config: Descriptor = { mediaType: CACHE_CONFIG_MEDIA_TYPE, digest: digestOf(configRaw), size: configRaw.length };
  let doc: Record<string, unknown>;
  let mediaType: string;
  if (options.imageManifest) {
    mediaType = MediaType.OciManifest;
    doc = { schemaVersion: 2, mediaType, config, layers: graph.layers };
  } else {
    mediaType = options.oci ? MediaType.OciIndex : MediaType.DockerManifestList;
    doc = { schemaVersion: 2, mediaType, manifests: [...graph.layers, config] };
  }
  const raw = Buffer.from(JSON.stringify(doc));
  return { config: { descriptor: config, raw: configRaw }, manifest: { descriptor: { mediaType, digest: digestOf(raw), size: raw.length }, raw } };
}
