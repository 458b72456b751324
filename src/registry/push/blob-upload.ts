import { RegistryError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { VerifyStream } from '../../stream/verify-stream';
import { CountingStream, openAt, takeBytes, type BlobOpener, type BlobOpenerAt } from './blob-source';
import type { RegistryClient } from '../registry-client';
import { errorFromResponse } from '../transport/response-error';
import { discard, header } from '../transport/types';

/**
 * An upload session the registry opened (POST answered 202). `location` and
 * `offset` follow the registry's answers as the upload goes, so that after a
 * failure the session can be asked where it stands and resumed.
 */
export interface UploadSession {
  location: URL;
  /** OCI-Chunk-Min-Length: chunks (but the last) must be at least this long */
  minChunk: number;
  /** bytes the registry has acknowledged */
  offset: number;
}

export interface UploadOptions {
  /** chunked PATCH uploads of this many bytes; 0 or undefined: monolithic PUT */
  chunkSize?: number;
  openFrom?: BlobOpenerAt;
  onBytes?: (sent: number) => void;
  signal?: AbortSignal;
}

function sessionFrom(client: RegistryClient, res: { headers: Record<string, string | string[] | undefined>; url: URL }, repository: string): UploadSession {
  const location = header(res, 'location');
  if (location === undefined) {
    throw new RegistryError('REGISTRY_PROTOCOL', `${client.host}/${repository}: upload response has no Location`, { repository });
  }
  const minChunk = Number(header(res, 'oci-chunk-min-length') ?? 0);
  return { location: new URL(location, res.url), minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0, offset: 0 };
}

/**
 * POST an upload, optionally as a cross-repository mount. 'mounted' when the
 * registry mounted the blob (201); a session otherwise (202: mount refused or
 * not asked, upload as usual).
 */
export async function startUpload(
  client: RegistryClient,
  repository: string,
  mount?: { digest: string; from: string },
  signal?: AbortSignal,
): Promise<'mounted' | UploadSession> {
  const url = client.url(`/v2/${repository}/blobs/uploads/`);
  if (mount !== undefined) {
    url.searchParams.set('mount', mount.digest);
    url.searchParams.set('from', mount.from);
  }
  const res = await client.request({
    method: 'POST',
    url,
    repository,
    headers: { 'content-length': '0' },
    ...(mount !== undefined ? { extraScopes: [`repository:${mount.from}:pull`] } : {}),
    ...(signal ? { signal } : {}),
  });
  if (res.status === 201 && mount !== undefined) {
    discard(res);
    return 'mounted';
  }
  if (res.status === 202) {
    discard(res);
    return sessionFrom(client, res, repository);
  }
  throw await errorFromResponse(res, { action: mount ? `mount blob ${mount.digest} from ${mount.from}` : 'start blob upload', repository });
}

function withDigest(location: URL, digest: string): URL {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u;
}

/** Monolithic: PUT the whole blob to the session, verified as it streams. */
async function putWhole(client: RegistryClient, repository: string, s: UploadSession, desc: Descriptor, open: BlobOpener, o: UploadOptions): Promise<void> {
  const res = await client.request({
    method: 'PUT',
    url: withDigest(s.location, desc.digest),
    repository,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
    body: async () => {
      const src = await open();
      const verify = new VerifyStream({ digest: desc.digest, size: desc.size });
      const count = new CountingStream((n) => o.onBytes?.(n));
      src.on('error', (err) => verify.destroy(err));
      verify.on('error', (err) => count.destroy(err));
      return src.pipe(verify).pipe(count);
    },
    retryable: false,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (res.status !== 201) throw await errorFromResponse(res, { action: `upload blob ${desc.digest}`, repository });
  discard(res);
}

/** Follow an upload answer: its Location (when given) and its Range (else `acked`, what we believe it holds). */
function follow(s: UploadSession, res: { headers: Record<string, string | string[] | undefined>; url: URL }, acked: number): void {
  const loc = header(res, 'location');
  if (loc !== undefined) s.location = new URL(loc, res.url);
  const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range') ?? '');
  // "0-0" is what distribution says of an empty upload too: trust it as 1 byte only past our acknowledged offset
  const end = range !== null ? Number(range[1]) : -1;
  s.offset = range === null ? acked : end > 0 || (end === 0 && acked > 0) ? end + 1 : 0;
}

/**
 * Ask the session where it stands (GET on its Location: 204 with Range) and
 * move `s` there. False when the session is gone: 404 BLOB_UPLOAD_UNKNOWN, or
 * BLOB_UPLOAD_INVALID (distribution refuses, and drops, a session whose state
 * no longer matches the bytes it holds).
 */
export async function queryUpload(client: RegistryClient, repository: string, s: UploadSession, signal?: AbortSignal): Promise<boolean> {
  const res = await client.request({ method: 'GET', url: s.location, repository, ...(signal ? { signal } : {}) });
  if (res.status === 204 || res.status === 202) {
    discard(res);
    follow(s, res, s.offset);
    return true;
  }
  const err = await errorFromResponse(res, { action: 'query upload status', repository });
  if (res.status === 404 || err.code === 'REGISTRY_UPLOAD_INVALID') return false;
  throw err;
}

/**
 * Chunked: PATCH chunks with Content-Range from the session's offset,
 * following each response's Location, honouring OCI-Chunk-Min-Length; on 416
 * ask the session's Range and go on from there. Then PUT ?digest= with no
 * body. Without a chunk size (a monolithic upload resumed) the rest goes in
 * one chunk.
 */
async function patchChunks(client: RegistryClient, repository: string, s: UploadSession, desc: Descriptor, open: BlobOpener, o: UploadOptions): Promise<void> {
  const chunk = Math.max((o.chunkSize ?? 0) > 0 ? o.chunkSize! : desc.size, s.minChunk, 1);
  let recoveries = 0;
  while (s.offset < desc.size) {
    const start = s.offset;
    const n = Math.min(chunk, desc.size - start);
    const res = await client.request({
      method: 'PATCH',
      url: s.location,
      repository,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(n), 'content-range': `${start}-${start + n - 1}` },
      body: async () => takeBytes(await openAt(open, o.openFrom, start), n),
      retryable: false,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (res.status === 416 && recoveries < 3) {
      discard(res);
      recoveries++;
      if (!(await queryUpload(client, repository, s, o.signal))) throw new RegistryError('REGISTRY_UPLOAD_INVALID', `${client.host}/${repository}: the upload of ${desc.digest} is gone`, { repository });
      continue;
    }
    if (res.status !== 202) throw await errorFromResponse(res, { action: `upload chunk ${start}-${start + n - 1} of ${desc.digest}`, repository });
    discard(res);
    follow(s, res, start + n);
    o.onBytes?.(s.offset);
  }
  const res = await client.request({
    method: 'PUT',
    url: withDigest(s.location, desc.digest),
    repository,
    headers: { 'content-length': '0' },
    retryable: false,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (res.status !== 201) throw await errorFromResponse(res, { action: `finish upload of ${desc.digest}`, repository });
  discard(res);
}

/**
 * Upload a blob into an open session from the offset the session holds:
 * monolithic by default (one PUT from 0), chunked on request or when
 * resuming a session that already holds some bytes.
 */
export function uploadBlob(client: RegistryClient, repository: string, s: UploadSession, desc: Descriptor, open: BlobOpener, o: UploadOptions = {}): Promise<void> {
  if (desc.size > 0 && ((o.chunkSize ?? 0) > 0 || s.offset > 0)) return patchChunks(client, repository, s, desc, open, o);
  return putWhole(client, repository, s, desc, open, o);
}

/** Best effort: tell the registry to drop a failed session. */
export async function cancelUpload(client: RegistryClient, repository: string, s: UploadSession): Promise<void> {
  try {
    const res = await client.request({ method: 'DELETE', url: s.location, repository, retryable: false });
    discard(res);
  } catch {
    /* the session expires on its own */
  }
}
