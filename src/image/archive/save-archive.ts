import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { throwIfAborted } from '../../errors';
import { writeTar, type TarEntry, type TarHeader } from '../../layer';
import { Annotation, type Descriptor } from '../../oci/descriptor';
import { digestHex } from '../../oci/digest';
import type { ImageIndex } from '../../oci/manifest';
import { MediaType } from '../../oci/media-types';
import { familiarName, familiarString, parseReference } from '../../oci/reference';
import type { Store } from '../../store';
import { OCI_LAYOUT_VERSION } from '../../store';
import { collectBlobs } from '../image-record';
import type { ResolvedImage } from '../resolve-image';

export interface SaveOptions {
  signal?: AbortSignal;
}

function blobName(d: Descriptor): string {
  return `blobs/sha256/${digestHex(d.digest)}`;
}

/** Every member with owner 0:0 and mtime 0, as docker writes them: equal stores save equal bytes. */
function header(name: string, type: 'file' | 'dir', size = 0): TarHeader {
  return { name, type, size, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtime: 0 };
}

function small(name: string, data: string): TarEntry {
  const body = Buffer.from(data);
  return { header: header(name, 'file', body.length), body };
}

/**
 * `hoist save`: a docker-archive that is also an OCI image layout, as Docker
 * 25+ writes it: blobs/sha256/*, index.json, manifest.json, oci-layout,
 * repositories. Blobs stream from the store; nothing large is buffered.
 */
export async function saveArchive(store: Store, images: ResolvedImage[], output: Writable, options: SaveOptions = {}): Promise<void> {
  await pipeline(writeTar(members(store, images, options), options.signal ? { signal: options.signal } : {}), output);
}

async function* members(store: Store, images: ResolvedImage[], options: SaveOptions): AsyncGenerator<TarEntry> {
  const seen = new Set<string>();
  const indexEntries: Descriptor[] = [];
  const dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  yield { header: header('blobs', 'dir') };
  yield { header: header('blobs/sha256', 'dir') };
  for (const image of images) {
    for (const d of await collectBlobs(store.content, image.entry)) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      throwIfAborted(options.signal);
      const info = await store.content.info(d.digest);
      const body = await store.content.open(d, options.signal ? { signal: options.signal } : {});
      yield { header: header(blobName(d), 'file', info.size), body };
    }
    const repoTags: string[] = [];
    const names = image.matchedName !== undefined ? [image.matchedName] : image.names;
    for (const name of names) {
      const ref = parseReference(name, { defaultTag: false });
      const annotations: Record<string, string> = { [Annotation.ContainerdImageName]: name };
      if (ref.tag !== undefined) {
        annotations[Annotation.RefName] = ref.tag;
        repoTags.push(familiarString({ domain: ref.domain, path: ref.path, tag: ref.tag }));
        (repositories[familiarName(ref)] ??= {})[ref.tag] = digestHex(image.id);
      }
      indexEntries.push({ mediaType: image.entry.mediaType, digest: image.entry.digest, size: image.entry.size, annotations });
    }
    if (names.length === 0) indexEntries.push({ mediaType: image.entry.mediaType, digest: image.entry.digest, size: image.entry.size });
    dockerManifest.push({
      Config: blobName(image.manifest.config),
      RepoTags: repoTags,
      Layers: image.manifest.layers.map(blobName),
    });
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: indexEntries };
  yield small('index.json', `${JSON.stringify(index)}\n`);
  yield small('manifest.json', `${JSON.stringify(dockerManifest)}\n`);
  yield small('oci-layout', JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
  if (Object.keys(repositories).length > 0) yield small('repositories', `${JSON.stringify(repositories)}\n`);
}
