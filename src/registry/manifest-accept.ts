import { MediaType } from '../oci/media-types';

/** What a manifest GET/HEAD accepts: all four manifest types, then anything (artifacts are kept). */
export const MANIFEST_ACCEPT = [MediaType.OciManifest, MediaType.OciIndex, MediaType.DockerManifest, MediaType.DockerManifestList].join(', ');
export const MANIFEST_ACCEPT_ANY = `${MANIFEST_ACCEPT}, */*;q=0.1`;

/** A response's media type without parameters (`; charset=utf-8`). */
export function bareMediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const mt = contentType.split(';')[0]!.trim().toLowerCase();
  return mt === '' ? undefined : mt;
}

/** The media type a manifest says of itself, when the server's Content-Type is generic. */
export function mediaTypeOfDocument(raw: Buffer): string | undefined {
  try {
    const o = JSON.parse(raw.toString('utf8')) as { mediaType?: unknown; manifests?: unknown; config?: unknown; schemaVersion?: unknown };
    if (typeof o.mediaType === 'string' && o.mediaType !== '') return o.mediaType;
    if (Array.isArray(o.manifests)) return MediaType.OciIndex;
    if (o.config !== undefined && o.schemaVersion === 2) return MediaType.OciManifest;
  } catch {
    return undefined;
  }
  return undefined;
}
