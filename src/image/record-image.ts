import { Annotation, type Descriptor } from '../oci/descriptor';
import { isManifestMediaType } from '../oci/media-types';
import type { Platform } from '../oci/platform';
import { toOciManifest } from '../oci/to-oci-manifest';
import { addUntagged, setTag, writeBlobBytes, type Store } from '../store';

export interface RecordImageOptions {
  /** the manifest (or index) bytes, as received, loaded or made */
  rawManifest: Buffer;
  /** its media type (the registry's, the archive index's); default: the document's own `mediaType` */
  mediaType?: string;
  /** the platform to record on the entry (an image chosen from an index, a built image) */
  platform?: Platform;
  /** full normalised references to point at it; `[]`: one untagged entry; undefined: no index entry */
  tags?: string[];
  signal?: AbortSignal;
}

export interface RecordedImage {
  /** what index.json names: the manifest, or its OCI form for a Docker v2 manifest (annotated with the original's digest) */
  descriptor: Descriptor;
  /** the manifest as given, written to the store */
  manifest: Descriptor;
}

function ownMediaType(raw: Buffer): string {
  try {
    const t = (JSON.parse(raw.toString('utf8')) as { mediaType?: unknown }).mediaType;
    return typeof t === 'string' ? t : '';
  } catch {
    return '';
  }
}

/**
 * The one place a manifest becomes index.json entries (build, pull and load
 * end here): the manifest blob, then for a Docker v2 manifest its OCI form
 * (what skopeo's `oci:` transport and umoci read; the original's digest kept
 * in `Annotation.RegistryManifest`), then every tag or one untagged entry —
 * blobs before names, so the store is consistent at every step. The caller
 * holds a store lease from its first blob write until this returns.
 */
export async function recordImage(store: Store, options: RecordImageOptions): Promise<RecordedImage> {
  const { rawManifest, signal } = options;
  const written = await writeBlobBytes(store.content, rawManifest, signal);
  const platform = options.platform ? { platform: options.platform } : {};
  const manifest: Descriptor = { mediaType: options.mediaType ?? ownMediaType(rawManifest), digest: written.digest, size: written.size };
  let descriptor: Descriptor = { ...manifest, ...platform };
  const oci = isManifestMediaType(manifest.mediaType) ? toOciManifest(rawManifest) : undefined;
  if (oci !== undefined) {
    await writeBlobBytes(store.content, oci.raw, signal);
    descriptor = { ...oci.descriptor, ...platform, annotations: { [Annotation.RegistryManifest]: manifest.digest } };
  }
  const tags = options.tags;
  if (tags !== undefined && tags.length === 0) await addUntagged(store.index, descriptor);
  for (const tag of tags ?? []) await setTag(store.index, tag, descriptor);
  return { descriptor, manifest };
}
