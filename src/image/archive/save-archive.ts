import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { throwIfAborted } from '../../errors';
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

const EPOCH = new Date(0);

function blobName(d: Descriptor): string {
  return `blobs/sha256/${digestHex(d.digest)}`;
}

function addSmall(pack: tar.Pack, name: string, data: string): void {
  pack.entry({ name, size: Buffer.byteLength(data), mode: 0o644, mtime: EPOCH, uid: 0, gid: 0 }, data);
}

/**
 * `hoist save`: a docker-archive that is also an OCI image layout, as Docker
 * 25+ writes it: blobs/sha256/*, index.json, manifest.json, oci-layout,
 * repositories. Blobs stream from the store; nothing large is buffered.
 */
export async function saveArchive(store: Store, images: ResolvedImage[], output: Writable, options: SaveOptions = {}): Promise<void> {
  const pack = tar.pack();
  const writing = pipeline(pack as unknown as NodeJS.ReadableStream, output);
  try {
    const seen = new Set<string>();
    const indexEntries: Descriptor[] = [];
    const dockerManifest: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime: EPOCH });
    pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: EPOCH });
    for (const image of images) {
      for (const d of await collectBlobs(store.content, image.entry)) {
        if (seen.has(d.digest)) continue;
        seen.add(d.digest);
        throwIfAborted(options.signal);
        const src = await store.content.open(d, options.signal ? { signal: options.signal } : {});
        const info = await store.content.info(d.digest);
        await new Promise<void>((resolve, reject) => {
          const sink = pack.entry({ name: blobName(d), size: info.size, mode: 0o644, mtime: EPOCH, uid: 0, gid: 0 }, (err) =>
            err ? reject(err) : resolve(),
          );
          src.on('error', (err) => {
            sink.destroy(err);
            reject(err);
          });
          src.pipe(sink as unknown as NodeJS.WritableStream);
        });
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
    addSmall(pack, 'index.json', `${JSON.stringify(index)}\n`);
    addSmall(pack, 'manifest.json', `${JSON.stringify(dockerManifest)}\n`);
    addSmall(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
    if (Object.keys(repositories).length > 0) addSmall(pack, 'repositories', `${JSON.stringify(repositories)}\n`);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await writing.catch(() => undefined);
    throw err;
  }
  await writing;
}
