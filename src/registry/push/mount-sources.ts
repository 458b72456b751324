import type { Digest } from '../../oci/digest';
import { isIndexMediaType, isManifestMediaType } from '../../oci/media-types';
import { parseManifest } from '../../oci/parse-documents';
import { parseReference } from '../../oci/reference';
import { readBlobCapped } from '../../store/helpers';
import type { Store } from '../../store/store';
import { refNameOf } from '../../store/tags';

/**
 * Which repositories of `domain` are known to hold each blob: every tag in
 * the store that names another repository of the same registry (an image
 * pulled from or pushed as it) vouches for the blobs of its manifest. Used to
 * try cross-repository mounts before uploading.
 */
export async function mountSourcesFor(store: Store, domain: string, exceptRepository: string): Promise<Map<Digest, string[]>> {
  const out = new Map<Digest, string[]>();
  const add = (digest: Digest, repo: string) => {
    const list = out.get(digest) ?? [];
    if (!list.includes(repo)) list.push(repo);
    out.set(digest, list);
  };
  const index = await store.index.read();
  for (const entry of index.manifests) {
    const name = refNameOf(entry);
    if (name === undefined) continue;
    let ref;
    try {
      ref = parseReference(name);
    } catch {
      continue;
    }
    if (ref.domain !== domain || ref.path === exceptRepository) continue;
    if (isIndexMediaType(entry.mediaType) || !isManifestMediaType(entry.mediaType)) continue;
    try {
      const m = parseManifest(await readBlobCapped(store.content, entry));
      for (const d of [m.config, ...m.layers]) add(d.digest, ref.path);
    } catch {
      continue; // a tag whose manifest is absent or broken vouches for nothing
    }
  }
  return out;
}
