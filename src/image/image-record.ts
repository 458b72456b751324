import { ImageError } from '../errors';
import type { Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import type { ImageConfig, ImageIndex, ImageManifest } from '../oci/manifest';
import { isIndexMediaType, isManifestMediaType } from '../oci/media-types';
import { parseImageConfig, parseIndex, parseManifest, sniffManifestKind } from '../oci/parse-documents';
import { hostPlatform, platformMatches, type Platform } from '../oci/platform';
import { CONFIG_MAX_BYTES } from '../stream/read-capped';
import { readBlobCapped, type ContentStore } from '../store';

/** One platform's image as stored: manifest and config, parsed and raw. */
export interface ImageRecord {
  /** the index.json entry (a manifest, or an index the manifest was chosen from) */
  entry: Descriptor;
  manifestDesc: Descriptor;
  manifest: ImageManifest;
  rawManifest: Buffer;
  config: ImageConfig;
  rawConfig: Buffer;
  /** docker's image ID: the config digest for a manifest entry, the index digest for an index */
  id: Digest;
}

export async function readIndexDoc(store: ContentStore, desc: Descriptor): Promise<ImageIndex> {
  return parseIndex(await readBlobCapped(store, desc));
}

function isIndexDesc(desc: Descriptor, raw?: Buffer): boolean {
  if (isIndexMediaType(desc.mediaType)) return true;
  if (isManifestMediaType(desc.mediaType)) return false;
  return raw !== undefined && sniffManifestKind(raw) === 'index';
}

/** Pick the manifest for `platform` (default: the host's) from an index. */
export function selectManifest(index: ImageIndex, platform: Platform = hostPlatform()): Descriptor | undefined {
  const candidates = index.manifests.filter((m) => isManifestMediaType(m.mediaType) || m.mediaType === undefined);
  return (
    candidates.find((m) => m.platform !== undefined && platformMatches(platform, m.platform)) ??
    (candidates.length === 1 && candidates[0]!.platform === undefined ? candidates[0] : undefined)
  );
}

/** Load the manifest and config an index.json entry names. */
export async function loadImageRecord(store: ContentStore, entry: Descriptor, platform?: Platform): Promise<ImageRecord> {
  let manifestDesc = entry;
  let raw = await readBlobCapped(store, entry);
  if (isIndexDesc(entry, raw)) {
    const chosen = selectManifest(parseIndex(raw), platform);
    if (chosen === undefined) {
      throw new ImageError('PLATFORM_NOT_FOUND', `image ${entry.digest} has no manifest for platform ${JSON.stringify(platform ?? hostPlatform())}`, {
        digest: entry.digest,
      });
    }
    manifestDesc = chosen;
    raw = await readBlobCapped(store, chosen);
  }
  const manifest = parseManifest(raw);
  const rawConfig = await readBlobCapped(store, manifest.config, CONFIG_MAX_BYTES);
  const config = parseImageConfig(rawConfig);
  const id = isIndexDesc(entry) ? entry.digest : manifest.config.digest;
  return { entry, manifestDesc, manifest, rawManifest: raw, config, rawConfig, id };
}

/**
 * Every blob an entry reaches (for save and copy). Manifests of an index that
 * were never pulled (other platforms) are left out; anything else missing is
 * CONTENT_NOT_FOUND.
 */
export async function collectBlobs(store: ContentStore, entry: Descriptor): Promise<Descriptor[]> {
  const out = new Map<string, Descriptor>();
  const queue: { d: Descriptor; optional: boolean }[] = [{ d: entry, optional: false }];
  while (queue.length > 0) {
    const { d, optional } = queue.pop()!;
    if (out.has(d.digest)) continue;
    if (optional && !(await store.has(d.digest))) continue;
    await store.info(d.digest); // CONTENT_NOT_FOUND when absent
    out.set(d.digest, d);
    if (isIndexMediaType(d.mediaType) || (d === entry && !isManifestMediaType(d.mediaType))) {
      const raw = await readBlobCapped(store, d);
      if (isIndexDesc(d, raw)) {
        for (const m of parseIndex(raw).manifests) queue.push({ d: m, optional: true });
        continue;
      }
    }
    if (isManifestMediaType(d.mediaType) || d === entry) {
      const m = parseManifest(await readBlobCapped(store, d));
      for (const c of [m.config, ...m.layers]) queue.push({ d: c, optional: false });
    }
  }
  return [...out.values()];
}
