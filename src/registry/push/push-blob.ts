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
  /** chunked PATCH uploads of this many bytes (default: monolithic PUT) */
  chunkSize?: number;
  /** seeking opener, used to resume chunks after a 416 */
  openFrom?: BlobOpenerAt;
  signal?: AbortSignal;
}

export type PushBlobResult = { status: 'exists' } | { status: 'mounted'; from: string } | { status: 'uploaded' };

/** The blob is in the repository already: report it skipped. */
function exists(client: RegistryClient, desc: Descriptor): PushBlobResult {
  client.emit({ type: 'blob-skip', action: 'push', digest: desc.digest, size: desc.size, reason: 'exists' });
  return { status: 'exists' };
}

/**
 * The blob is there, was mounted, or a session is open for it. With mount
 * sources the mounts go first, without a HEAD: a mount the registry makes
 * (201) is one request, as the HEAD alone would be. Only a refused mount (202:
 * the registry opened an upload instead) or a failed one is followed by the
 * HEAD, so that a blob the repository has is never uploaded again (the
 * refused mount's session is then dropped). Without sources, or when `check`
 * (a new session after a lost one: the failed request may have completed the
 * blob), HEAD first, as ggcr's remote.write.
 */
async function openSession(client: RegistryClient, repository: string, desc: Descriptor, options: PushBlobOptions, check: boolean): Promise<PushBlobResult | UploadSession> {
  const { signal } = options;
  const sources = (options.mountFrom ?? []).filter((from) => from !== repository);
  if ((check || sources.length === 0) && (await client.hasBlob(repository, desc, signal))) return exists(client, desc);
  let session: UploadSession | undefined;
  for (const from of sources) {
    let r: 'mounted' | UploadSession;
    try {
      r = await startUpload(client, repository, { digest: desc.digest, from }, signal);
    } catch (err) {
      if (hasKind(err, 'canceled')) throw err;
      continue; // any mount failure: try the next source, then upload
    }
    if (r !== 'mounted') {
      session = r;
      break;
    }
    client.emit({ type: 'blob-skip', action: 'push', digest: desc.digest, size: desc.size, reason: 'mounted' });
    client.emit({ type: 'blob-done', action: 'push', digest: desc.digest, size: desc.size, mountedFrom: from });
    return { status: 'mounted', from };
  }
  if (!check && sources.length > 0 && (await client.hasBlob(repository, desc, signal))) {
    if (session !== undefined) await cancelUpload(client, repository, session);
    return exists(client, desc);
  }
  return session ?? ((await startUpload(client, repository, undefined, signal)) as UploadSession);
}

/**
 * Push one blob: skip what the registry has (HEAD), POST with ?mount=&from=
 * for each known source repository (first, without the HEAD: openSession),
 * falling back to upload on any mount failure, then the upload.
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
  let session: UploadSession | undefined;
  let started = false;
  let reopened = false;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    // HEAD, POST and GET are retried by the transport; this loop retries the upload itself
    let inUpload = session !== undefined;
    try {
      if (session !== undefined && !(await queryUpload(client, repository, session, signal))) session = undefined;
      if (session === undefined) {
        const r = await openSession(client, repository, desc, options, reopened);
        reopened = true;
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
