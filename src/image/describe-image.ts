import { registryDigestOf, type Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import type { HistoryEntry } from '../oci/manifest';
import { familiarName, familiarString, parseReference } from '../oci/reference';
import { refNameOf, type Store } from '../store';
import { loadImageRecord, type ImageRecord } from './image-record';
import type { ResolvedImage } from './resolve-image';

/** One row of `hoist images` (docker's columns), as data. */
export interface ImageSummary {
  repository: string;
  tag: string;
  id: Digest;
  created?: string;
  size: number;
  digest: Digest;
}

export function imageSize(record: ImageRecord): number {
  return record.manifest.layers.reduce((n, l) => n + l.size, 0);
}

function splitName(name: string | undefined): { repository: string; tag: string } {
  if (name === undefined) return { repository: '<none>', tag: '<none>' };
  try {
    const ref = parseReference(name, { defaultTag: false });
    return { repository: familiarName(ref), tag: ref.tag ?? '<none>' };
  } catch {
    return { repository: name, tag: '<none>' };
  }
}

/** Every index entry as a summary row; entries that cannot be read are listed with size 0. */
export async function listImages(store: Store): Promise<ImageSummary[]> {
  const { manifests } = await store.index.read();
  const rows: ImageSummary[] = [];
  const cache = new Map<string, ImageRecord | undefined>();
  for (const entry of manifests) {
    if (!cache.has(entry.digest)) cache.set(entry.digest, await loadImageRecord(store.content, entry).catch(() => undefined));
    const record = cache.get(entry.digest);
    rows.push({
      ...splitName(refNameOf(entry)),
      id: record?.id ?? entry.digest,
      ...(record?.config.created !== undefined ? { created: record.config.created } : {}),
      size: record ? imageSize(record) : 0,
      digest: registryDigestOf(entry),
    });
  }
  return rows.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.repository.localeCompare(b.repository));
}

const CONFIG_DEFAULTS = {
  Hostname: '',
  Domainname: '',
  User: '',
  AttachStdin: false,
  AttachStdout: false,
  AttachStderr: false,
  Tty: false,
  OpenStdin: false,
  StdinOnce: false,
  Env: null,
  Cmd: null,
  Image: '',
  Volumes: null,
  WorkingDir: '',
  Entrypoint: null,
  OnBuild: null,
  Labels: null,
};

/** The JSON object `docker image inspect` prints for one image. */
export function inspectImage(image: ResolvedImage): Record<string, unknown> {
  const c = image.config;
  const repoTags: string[] = [];
  const repoDigests: string[] = [];
  for (const name of image.names) {
    const ref = parseReference(name, { defaultTag: false });
    if (ref.tag !== undefined) repoTags.push(familiarString({ domain: ref.domain, path: ref.path, tag: ref.tag }));
    const d = `${familiarName(ref)}@${registryDigestOf(image.entry)}`;
    if (!repoDigests.includes(d)) repoDigests.push(d);
  }
  const size = imageSize(image);
  const out: Record<string, unknown> = {
    Id: image.id,
    RepoTags: repoTags,
    RepoDigests: repoDigests,
    Parent: '',
    Comment: typeof c.comment === 'string' ? c.comment : '',
    Created: c.created ?? '',
    DockerVersion: typeof c.docker_version === 'string' ? c.docker_version : '',
    Author: c.author ?? '',
    Config: { ...CONFIG_DEFAULTS, ...(c.config ?? {}) },
    Architecture: c.architecture,
    ...(c.variant !== undefined ? { Variant: c.variant } : {}),
    Os: c.os,
    ...(c['os.version'] !== undefined ? { OsVersion: c['os.version'] } : {}),
    Size: size,
    VirtualSize: size,
    RootFS: { Type: c.rootfs.type, Layers: c.rootfs.diff_ids },
    Metadata: { LastTagTime: '0001-01-01T00:00:00Z' },
    Descriptor: image.manifestDesc,
  };
  return out;
}

/** One row of `hoist history`. */
export interface HistoryRow {
  id: string;
  created?: string;
  createdBy: string;
  size: number;
  comment: string;
  emptyLayer: boolean;
}

/** History newest first, layers matched to the entries that made them, as docker does. */
export function imageHistory(image: ImageRecord): HistoryRow[] {
  const layers: Descriptor[] = image.manifest.layers;
  const history: HistoryEntry[] = image.config.history ?? layers.map(() => ({}));
  let li = 0;
  const rows: HistoryRow[] = history.map((h) => {
    const empty = h.empty_layer === true;
    const size = empty ? 0 : (layers[li++]?.size ?? 0);
    return { id: '<missing>', ...(h.created ? { created: h.created } : {}), createdBy: h.created_by ?? '', size, comment: h.comment ?? '', emptyLayer: empty };
  });
  rows.reverse();
  if (rows.length > 0) rows[0]!.id = image.id;
  return rows;
}
