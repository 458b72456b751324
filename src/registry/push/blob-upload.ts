import { RegistryError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { VerifyStream } from '../../stream/verify-stream';
import { CountingStream, openAt, takeBytes, type BlobOpener, type BlobOpenerAt } from './blob-source';
import type { RegistryClient } from '../registry-client';
import { errorFromResponse } from '../transport/response-error';
import { discard, header } from '../transport/types';

/** An upload session the registry opened (POST answered 202). */
export interface UploadSession {
  location: URL;
  /** OCI-Chunk-Min-Length: chunks (but the last) must be at least this long */
  minChunk: number;
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
  return { location: new URL(location, res.url), minChunk: Number.isSafeInteger(minChunk) && minChunk > 0 ? minChunk : 0 };
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

/** Where the registry's upload stands (GET on the session): the next offset. */
async function uploadOffset(client: RegistryClient, repository: string, s: UploadSession, acked: number, signal?: AbortSignal): Promise<{ offset: number; location: URL }> {
  const res = await client.request({ method: 'GET', url: s.location, repository, ...(signal ? { signal } : {}) });
  if (res.status !== 204 && res.status !== 202) throw await errorFromResponse(res, { action: 'query upload status', repository });
  discard(res);
  const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range') ?? '');
  const loc = header(res, 'location');
  // "0-0" is what distribution says of an empty upload too: trust it as 1 byte only past our acknowledged offset
  const end = range !== null ? Number(range[1]) : -1;
  const offset = end > 0 || (end === 0 && acked > 0) ? end + 1 : 0;
  return { offset, location: loc !== undefined ? new URL(loc, res.url) : s.location };
}

/**
 * Chunked: PATCH chunks with Content-Range, following each response's
 * Location, honouring OCI-Chunk-Min-Length; on 416 ask the session's Range
 * and go on from there. Then PUT ?digest= with no body.
 */
async function patchChunks(client: RegistryClient, repository: string, s: UploadSession, desc: Descriptor, open: BlobOpener, o: UploadOptions): Promise<void> {
  const chunk = Math.max(o.chunkSize ?? 0, s.minChunk, 1);
  let location = s.location;
  let offset = 0;
  let recoveries = 0;
  while (offset < desc.size) {
    const n = Math.min(chunk, desc.size - offset);
    const start = offset;
    const res = await client.request({
      method: 'PATCH',
      url: location,
      repository,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(n), 'content-range': `${start}-${start + n - 1}` },
      body: async () => takeBytes(await openAt(open, o.openFrom, start), n),
      retryable: false,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    if (res.status === 416 && recoveries < 3) {
      discard(res);
      recoveries++;
      const status = await uploadOffset(client, repository, { location, minChunk: s.minChunk }, offset, o.signal);
      offset = status.offset;
      location = status.location;
      continue;
    }
    if (res.status !== 202) throw await errorFromResponse(res, { action: `upload chunk ${start}-${start + n - 1} of ${desc.digest}`, repository });
    discard(res);
    const loc = header(res, 'location');
    if (loc !== undefined) location = new URL(loc, res.url);
    const range = /^(?:bytes=)?0-(\d+)$/.exec(header(res, 'range') ?? '');
    offset = range !== null ? Number(range[1]) + 1 : start + n;
    o.onBytes?.(offset);
  }
  const res = await client.request({
    method: 'PUT',
    url: withDigest(location, desc.digest),
    repository,
    headers: { 'content-length': '0' },
    retryable: false,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (res.status !== 201) throw await errorFromResponse(res, { action: `finish upload of ${desc.digest}`, repository });
  discard(res);
}

/** Upload a blob into an open session (monolithic by default, chunked on request). */
export function uploadBlob(client: RegistryClient, repository: string, s: UploadSession, desc: Descriptor, open: BlobOpener, o: UploadOptions = {}): Promise<void> {
  if ((o.chunkSize ?? 0) > 0 && desc.size > 0) return patchChunks(client, repository, s, desc, open, o);
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
