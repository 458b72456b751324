import { OciError } from '../errors';
import type { Descriptor } from './descriptor';
import { isDigest } from './digest';
import type { ImageConfig, ImageIndex, ImageManifest } from './manifest';
import { isIndexMediaType, isManifestMediaType, MediaType } from './media-types';

type Json = Record<string, unknown>;

function fail(what: string, why: string, details: Record<string, unknown> = {}): never {
  throw new OciError('MANIFEST_INVALID', `invalid ${what}: ${why}`, { document: what, ...details });
}

function parseJsonObject(raw: Buffer | string, what: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (err) {
    fail(what, `malformed JSON (${(err as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(what, 'expected a JSON object');
  return v as Json;
}

function checkDescriptor(d: unknown, what: string, where: string): Descriptor {
  if (typeof d !== 'object' || d === null) fail(what, `${where} is not a descriptor object`);
  const o = d as Json;
  if (typeof o.mediaType !== 'string' || o.mediaType === '') fail(what, `${where}.mediaType must be a non-empty string`);
  if (!isDigest(o.digest)) fail(what, `${where}.digest ${JSON.stringify(o.digest)} is not a valid digest`);
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0) fail(what, `${where}.size must be a non-negative integer`);
  if (o.annotations !== undefined && (typeof o.annotations !== 'object' || o.annotations === null)) fail(what, `${where}.annotations must be an object`);
  return o as unknown as Descriptor;
}

/** Parse and shape-check an image manifest; unknown layer media types are kept. */
export function parseManifest(raw: Buffer | string): ImageManifest {
  const o = parseJsonObject(raw, 'manifest');
  if (o.schemaVersion !== 2) fail('manifest', `schemaVersion must be 2, found ${JSON.stringify(o.schemaVersion)}`);
  if (o.mediaType !== undefined && !isManifestMediaType(o.mediaType as string)) {
    fail('manifest', `mediaType ${JSON.stringify(o.mediaType)} is not an image manifest type`);
  }
  checkDescriptor(o.config, 'manifest', 'config');
  if (!Array.isArray(o.layers)) fail('manifest', 'layers must be an array');
  o.layers.forEach((l, i) => checkDescriptor(l, 'manifest', `layers[${i}]`));
  return o as unknown as ImageManifest;
}

/** Parse and shape-check an image index / manifest list. */
export function parseIndex(raw: Buffer | string): ImageIndex {
  const o = parseJsonObject(raw, 'index');
  if (o.schemaVersion !== 2) fail('index', `schemaVersion must be 2, found ${JSON.stringify(o.schemaVersion)}`);
  if (o.mediaType !== undefined && !isIndexMediaType(o.mediaType as string)) {
    fail('index', `mediaType ${JSON.stringify(o.mediaType)} is not an index type`);
  }
  if (!Array.isArray(o.manifests)) fail('index', 'manifests must be an array');
  o.manifests.forEach((m, i) => checkDescriptor(m, 'index', `manifests[${i}]`));
  return o as unknown as ImageIndex;
}

/** Parse and shape-check an image config. */
export function parseImageConfig(raw: Buffer | string): ImageConfig {
  const o = parseJsonObject(raw, 'image config');
  if (typeof o.architecture !== 'string') fail('image config', 'architecture must be a string');
  if (typeof o.os !== 'string') fail('image config', 'os must be a string');
  const rootfs = o.rootfs as Json | undefined;
  if (typeof rootfs !== 'object' || rootfs === null) fail('image config', 'rootfs is missing');
  if (rootfs.type !== 'layers') fail('image config', `rootfs.type must be "layers", found ${JSON.stringify(rootfs.type)}`);
  if (!Array.isArray(rootfs.diff_ids)) fail('image config', 'rootfs.diff_ids must be an array');
  rootfs.diff_ids.forEach((d, i) => {
    if (!isDigest(d)) fail('image config', `rootfs.diff_ids[${i}] ${JSON.stringify(d)} is not a valid digest`);
  });
  if (o.history !== undefined && !Array.isArray(o.history)) fail('image config', 'history must be an array');
  if (o.config !== undefined && o.config !== null && typeof o.config !== 'object') fail('image config', 'config must be an object');
  return o as unknown as ImageConfig;
}

/** Which kind of document a manifest-ish blob is, from its mediaType field or shape. */
export function sniffManifestKind(raw: Buffer | string): 'manifest' | 'index' | 'unknown' {
  let o: Json;
  try {
    o = parseJsonObject(raw, 'document');
  } catch {
    return 'unknown';
  }
  if (isManifestMediaType(o.mediaType as string)) return 'manifest';
  if (isIndexMediaType(o.mediaType as string)) return 'index';
  if (Array.isArray(o.manifests)) return 'index';
  if (o.config !== undefined && Array.isArray(o.layers)) return 'manifest';
  return 'unknown';
}

export const DEFAULT_MANIFEST_MEDIA_TYPE = MediaType.OciManifest;
