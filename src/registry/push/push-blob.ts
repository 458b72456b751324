import { hasKind, isHoistError, throwIfAborted } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import type { BlobOpener, BlobOpenerAt } from './blob-source';
import { cancelUpload, queryUpload, startUpload, uploadBlob, type UploadSession } from './blob-upload';
import { ProgressThrottle } from '../../progress';
import type { RegistryClient } from '../registry-client';
import { backoffDelay, parseRetryAfter, sleepWithSignal } from '../transport/backoff';

export interface PushBlobOptions {
  /** repositories of the same registry that (probably) hold the blob: tried as mounts first */
  mountFrom?: readonly string[];
  /** the mounts were tried already (push-image tries every blob's at once): go on from what they gave */
  afterMounts?: MountOutcome;
  /** chunked PATCH uploads of this many bytes (default: monolithic PUT) */
  chunkSize?: number;
  /** seeking opener, used to resume chunks after a 416 */
  openFrom?: BlobOpenerAt;
  signal?: AbortSignal;
}

export type PushBlobResult = { status: 'exists' } | { status: 'mounted'; from: string } | { status: 'uploaded' };

/** What a blob's mounts gave: mounted, or not (a refusal's upload session, when the registry opened one). */
export type MountOutcome = { status: 'mounted'; from: string } | { status: 'not-mounted'; session?: UploadSession };

/** The mount sources of a blob for `repository` (never the repository itself). */
export function mountSourcesOf(mountFrom: readonly string[] | undefined, repository: string): string[] {
  return (mountFrom ?? []).filter((from) => from !== repository);
}

/**
 * POST ?mount=&from= for each source in turn, without a HEAD before: a mount
 * the registry makes (201) is one request, as the HEAD alone would be. A
 * refusal (202: the registry opened an upload instead) ends the tries with
 * its session; a failure tries the next source.
 */
export async function tryMounts(client: RegistryClient, repository: string, desc: Descriptor, sources: readonly string[], signal?: AbortSignal): Promise<MountOutcome> {
  for (const from of sources) {
    let r: 'mounted' | UploadSession;
    try {
      r = await startUpload(client, repository, { digest: desc.digest, from }, signal);
    } catch (err) {
      if (hasKind(err, 'canceled')) throw err;
      continue; // any mount failure: try the next source, then upload
    }
    if (r !== 'mounted') return { status: 'not-mounted', session: r };
    // one event, one line: docker's "Mounted from <repo>" (a blob-skip before it printed "Mounted" too)
    client.emit({ type: 'blob-done', action: 'push', digest: desc.digest, size: desc.size, mountedFrom: from });
    return { status: 'mounted', from };
  }
  return { status: 'not-mounted' };
}

/**
 * HEAD (the blob may be there: skip it, dropping a refused mount's session),
 * then that session or a new one (POST), as ggcr's remote.write. After the
 * mounts, and for a new session after a lost one (the failed request may
 * have completed the blob).
 */
async function openSession(client: RegistryClient, repository: string, desc: Descriptor, signal: AbortSignal | undefined, refused?: UploadSession): Promise<PushBlobResult | UploadSession> {
  if (await client.hasBlob(repository, desc, signal)) {
    if (refused !== undefined) await cancelUpload(client, repository, refused);
    client.emit({ type: 'blob-skip', action: 'push', digest: desc.digest, size: desc.size, reason: 'exists' });
    return { status: 'exists' };
  }
  return refused ?? ((await startUpload(client, repository, undefined, signal)) as UploadSession);
}

/**
 * Push one blob: the mounts first (tryMounts), then HEAD (skip what the
 * registry has) and the upload (openSession), falling back to a plain upload
 * on any mount failure.
 *
 * An upload that fails as `unavailable` (a 5xx or 429, a dropped connection)
 * is resumed, as a careful client does: after a backoff, ask the session
 * where it stands (GET, Range) and go on from the registry's offset in the
 * same session. A new session (HEAD first: the failed request may have
 * completed it) only when the old one is gone. Bounded by the retry policy.
 */
export async function pushBlob(client: RegistryClient, repository: string, desc: Descriptor, open: BlobOpener, options: PushBlobOptions = {}): Promise<PushBlobResult> {
  const { signal } = options;
  client.declarePush(repository);
  let mounts = options.afterMounts;
  const sources = mountSourcesOf(options.mountFrom, repository);
  if (mounts === undefined && sources.length > 0) mounts = await tryMounts(client, repository, desc, sources, signal);
  if (mounts?.status === 'mounted') return mounts;
  let refused = mounts?.session;
  let session: UploadSession | undefined;
  let started = false;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    // HEAD, POST and GET are retried by the transport; this loop retries the upload itself
    let inUpload = session !== undefined;
    try {
      if (session !== undefined && !(await queryUpload(client, repository, session, signal))) session = undefined;
      if (session === undefined) {
        const r = await openSession(client, repository, desc, signal, refused);
        refused = undefined;
        if ('status' in r) return r;
        session = r;
      }
      inUpload = true;
      if (!started) client.emit({ type: 'blob-start', action: 'push', digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
      started = true;
      const progress = new ProgressThrottle(client.emit, 'push', desc.digest, desc.size);
      await uploadBlob(client, repository, session, desc, open, {
        ...(options.chunkSize !== undefined ? { chunkSize: options.chunkSize } : {}),
        ...(options.openFrom !== undefined ? { openFrom: options.openFrom } : {}),
        onBytes: (n) => progress.update(n),
        ...(signal ? { signal } : {}),
      });
      progress.update(desc.size, true);
      client.emit({ type: 'blob-done', action: 'push', digest: desc.digest, size: desc.size });
      return { status: 'uploaded' };
    } catch (err) {
      const outOfStep = isHoistError(err, 'REGISTRY_UPLOAD_INVALID') && attempt === 1;
      const retryable = inUpload && (hasKind(err, 'unavailable') || outOfStep);
      if (session !== undefined && (!retryable || attempt >= client.policy.maxAttempts || outOfStep)) {
        await cancelUpload(client, repository, session);
        session = undefined;
      }
      if (!retryable || attempt >= client.policy.maxAttempts) throw err;
      const retryAfter = isHoistError(err) ? parseRetryAfter(err.details.retryAfter as string | undefined) : undefined;
      const delayMs = backoffDelay(attempt, client.policy, retryAfter);
      const reason = isHoistError(err) ? `${err.code}: ${err.message}` : String(err);
      client.options.debug?.(`retry ${attempt}/${client.policy.maxAttempts - 1} in ${delayMs} ms: upload ${desc.digest}: ${reason}`);
      client.emit({ type: 'retry', attempt, maxAttempts: client.policy.maxAttempts, delayMs, reason, what: `upload ${desc.digest}` });
      await sleepWithSignal(delayMs, signal);
    }
  }
}

/** Mount alone: true when the registry mounted the blob from `from`. */
export async function mountBlob(client: RegistryClient, repository: string, desc: Descriptor, from: string, signal?: AbortSignal): Promise<boolean> {
  client.declarePush(repository);
  const r = await startUpload(client, repository, { digest: desc.digest, from }, signal);
  if (r === 'mounted') return true;
  await cancelUpload(client, repository, r);
  return false;
}
