import * as fs from 'node:fs/promises';
import { pipeline, type Readable } from 'node:stream';
import { ImageError, isHoistError } from '../../errors';
import { Annotation, type Descriptor } from '../../oci/descriptor';
import type { Digest } from '../../oci/digest';
import type { ImageManifest } from '../../oci/manifest';
import { isManifestMediaType, MediaType } from '../../oci/media-types';
import { parseImageConfig, parseIndex, parseManifest } from '../../oci/parse-documents';
import { DecompressAuto } from '../../stream/compression-detect';
import { CONFIG_MAX_BYTES } from '../../stream/read-capped';
import { formatReference, isValidTag, parseReference } from '../../oci/reference';
import type { Platform } from '../../oci/platform';
import { readBlobCapped, writeBlobBytes, type Store } from '../../store';
import { recordImage } from '../record-image';
import { collectBlobs } from '../image-record';
import { cleanMemberPath, ingestArchive, type IngestedArchive, type IngestedBlob } from './ingest-archive';
import { verifyImageLayers } from './verify-loaded';

export interface LoadedImage {
  digest: Digest;
  names: string[];
}

export interface LoadResult {
  images: LoadedImage[];
  format: 'docker' | 'oci';
}

/** an image the archive names, verified, its manifest bytes not yet recorded */
interface FoundImage {
  raw: Buffer;
  mediaType: string;
  platform?: Platform;
  names: string[];
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function invalid(message: string, details: Record<string, unknown> = {}): ImageError {
  return new ImageError('ARCHIVE_INVALID', message, details);
}

function resolveMember(archive: IngestedArchive, name: string): { blob?: IngestedBlob; small?: Buffer } {
  let p = cleanMemberPath(name);
  for (let hops = 0; hops < 16 && archive.links.has(p); hops++) p = archive.links.get(p)!;
  const blob = archive.blobs.get(p);
  if (blob !== undefined) return { blob };
  const small = archive.small.get(p);
  if (small !== undefined) return { small };
  throw new ImageError('ARCHIVE_MISSING_BLOB', `the archive's manifest names ${JSON.stringify(name)}, which the archive does not contain`, { member: name });
}

function normaliseName(name: string): string | undefined {
  if (isValidTag(name) && !name.includes(':')) return undefined; // a bare tag names no repository
  return formatReference(parseReference(name));
}

function parseJson<T>(buf: Buffer, what: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw invalid(`${what} is not valid JSON: ${(err as Error).message}`, { member: what });
  }
}

/** Docker's manifest.json (any Docker version): synthesise OCI manifests for its entries. */
async function fromDockerManifest(store: Store, archive: IngestedArchive, entries: DockerManifestEntry[]): Promise<FoundImage[]> {
  if (!Array.isArray(entries)) throw invalid('manifest.json must be a JSON array');
  const out: FoundImage[] = [];
  for (const [i, e] of entries.entries()) {
    if (typeof e?.Config !== 'string' || !Array.isArray(e.Layers)) throw invalid(`manifest.json[${i}] needs Config and Layers`);
    const cfg = resolveMember(archive, e.Config);
    const rawConfig = cfg.small ?? (await fs.readFile(store.content.blobPath(cfg.blob!.digest)));
    const config = parseImageConfig(rawConfig);
    const configRes = cfg.blob ?? (await writeBlobBytes(store.content, rawConfig));
    const layers: Descriptor[] = e.Layers.map((l) => {
      const b = resolveMember(archive, l).blob;
      if (b === undefined) throw invalid(`layer ${l} of manifest.json[${i}] is not a layer tar`);
      return { mediaType: b.compression === 'gzip' ? MediaType.OciLayerGzip : MediaType.OciLayer, digest: b.digest, size: b.size };
    });
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configRes.digest, size: configRes.size },
      layers,
    };
    verifyImageLayers(config, layers, archive);
    const names = (e.RepoTags ?? []).map((t) => formatReference(parseReference(t)));
    out.push({ raw: Buffer.from(JSON.stringify(manifest)), mediaType: MediaType.OciManifest, names });
  }
  return out;
}

/** An OCI index.json (OCI archives, and Docker 25+ saves, which carry both). */
async function fromOciIndex(store: Store, archive: IngestedArchive, rawIndex: Buffer, dockerEntries?: DockerManifestEntry[]): Promise<FoundImage[]> {
  const index = parseIndex(rawIndex);
  const byConfig = new Map<string, string[]>();
  for (const e of dockerEntries ?? []) {
    const cfg = resolveMember(archive, e.Config);
    if (cfg.blob) byConfig.set(cfg.blob.digest, (e.RepoTags ?? []).map((t) => formatReference(parseReference(t))));
  }
  const out: FoundImage[] = [];
  for (const m of index.manifests) {
    const a = m.annotations ?? {};
    const names = new Set<string>();
    const full = a[Annotation.ContainerdImageName] ?? a[Annotation.RefName];
    const name = full !== undefined ? normaliseName(full) : undefined;
    if (name !== undefined) names.add(name);
    const blobs = await collectBlobs(store.content, m).catch((err: unknown) => {
      if (isHoistError(err, 'CONTENT_NOT_FOUND')) {
        throw new ImageError('ARCHIVE_MISSING_BLOB', `the archive lacks blob ${String(err.details.digest)} that image ${m.digest} needs`, {
          digest: err.details.digest,
          image: m.digest,
        });
      }
      throw err;
    });
    await verifyOciImage(store, archive, blobs);
    for (const b of blobs) for (const n of byConfig.get(b.digest) ?? []) names.add(n);
    const raw = await readBlobCapped(store.content, m);
    out.push({ raw, mediaType: m.mediaType, ...(m.platform ? { platform: m.platform } : {}), names: [...names] });
  }
  return out;
}

async function verifyOciImage(store: Store, archive: IngestedArchive, blobs: Descriptor[]): Promise<void> {
  for (const d of blobs.filter((b) => isManifestMediaType(b.mediaType))) {
    const manifest = parseManifest(await readBlobCapped(store.content, d));
    const config = parseImageConfig(await readBlobCapped(store.content, manifest.config, CONFIG_MAX_BYTES));
    verifyImageLayers(config, manifest.layers, archive);
  }
}

/**
 * `hoist load`: read a docker-archive (any Docker version) or an OCI archive,
 * plain or compressed, into the store, then tag. On failure the blobs this
 * load added are removed again and no tag changes.
 */
export async function loadArchive(store: Store, input: Readable, options: { signal?: AbortSignal } = {}): Promise<LoadResult> {
  const lease = await store.lease();
  const created: IngestedBlob[] = [];
  try {
    // plain, gzip or zstd, told by magic number, as `docker load` accepts them
    const tarStream = pipeline(input, new DecompressAuto({ highWaterMark: 1024 * 1024 }), () => undefined);
    const archive = await ingestArchive(store.content, tarStream, { ...options, onBlob: (b) => b.created && created.push(b) });
    const rawIndex = archive.small.get('index.json');
    const rawManifest = archive.small.get('manifest.json');
    const dockerEntries = rawManifest ? parseJson<DockerManifestEntry[]>(rawManifest, 'manifest.json') : undefined;
    let images: FoundImage[];
    let format: LoadResult['format'] = 'docker';
    if (rawIndex !== undefined && archive.small.has('oci-layout')) {
      images = await fromOciIndex(store, archive, rawIndex, dockerEntries);
      if (dockerEntries === undefined) format = 'oci';
    } else if (dockerEntries !== undefined) {
      images = await fromDockerManifest(store, archive, dockerEntries);
    } else if (archive.small.has('repositories')) {
      throw new ImageError('ARCHIVE_UNSUPPORTED', 'this is a docker save from Docker < 1.10 (no manifest.json); load it with a newer docker and save again', {});
    } else {
      throw invalid('not an image archive: neither manifest.json (docker-archive) nor oci-layout + index.json (OCI archive) found');
    }
    if (images.length === 0) throw invalid('the archive contains no image');
    const loaded: LoadedImage[] = [];
    for (const img of images) {
      const { manifest } = await recordImage(store, { rawManifest: img.raw, mediaType: img.mediaType, ...(img.platform ? { platform: img.platform } : {}), tags: img.names, ...(options.signal ? { signal: options.signal } : {}) });
      loaded.push({ digest: manifest.digest, names: img.names });
    }
    return { images: loaded, format };
  } catch (err) {
    for (const b of created) {
      const st = await fs.stat(store.content.blobPath(b.digest)).catch(() => undefined);
      if (st !== undefined && st.mtimeMs === b.mtimeMs) await store.content.delete(b.digest).catch(() => undefined);
    }
    throw err;
  } finally {
    await lease.release();
  }
}
