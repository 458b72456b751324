import { hasKind, isHoistError, throwIfAborted } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import type { BlobOpener, BlobOpenerAt } from './blob-source';
import { cancelUpload, startUpload, uploadBlob, type UploadSession } from './blob-upload';
import { ProgressThrottle } from '../progress';
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

/**
 * Push one blob, as ggcr's remote.write does: HEAD (skip what the registry
 * has), then POST with ?mount=&from= for each known source repository
 * (falling back to upload on any mount failure), then the upload. A failed
 * upload whose error is `unavailable` (dropped connection, 5xx, 429) starts
 * over with a new session after a backoff; bounded by the retry policy.
 */
export async function pushBlob(client: RegistryClient, repository: string, desc: Descriptor, open: BlobOpener, options: PushBlobOptions = {}): Promise<PushBlobResult> {
  const { signal } = options;
  client.declarePush(repository);
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    let session: UploadSession | undefined;
    // HEAD and POST were retried by the transport; this loop retries the upload itself
    let inUpload = false;
    try {
      if (await client.hasBlob(repository, desc, signal)) {
        client.emit({ type: 'blob-skip', action: 'push', digest: desc.digest, size: desc.size, reason: 'exists' });
        return { status: 'exists' };
      }
      for (const from of options.mountFrom ?? []) {
        if (from === repository) continue;
        let r: 'mounted' | UploadSession;
        try {
          r = await startUpload(client, repository, { digest: desc.digest, from }, signal);
        } catch (err) {
          if (hasKind(err, 'canceled')) throw err;
          continue; // any mount failure: try the next source, then upload
        }
        if (r === 'mounted') {
          client.emit({ type: 'blob-skip', action: 'push', digest: desc.digest, size: desc.size, reason: 'mounted' });
          client.emit({ type: 'blob-done', action: 'push', digest: desc.digest, size: desc.size, mountedFrom: from });
          return { status: 'mounted', from };
        }
        session = r;
        break;
      }
      session ??= (await startUpload(client, repository, undefined, signal)) as UploadSession;
      inUpload = true;
      client.emit({ type: 'blob-start', action: 'push', digest: desc.digest, size: desc.size, mediaType: desc.mediaType });
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
      if (session !== undefined) await cancelUpload(client, repository, session);
      const retryable = inUpload && (hasKind(err, 'unavailable') || (isHoistError(err, 'REGISTRY_UPLOAD_INVALID') && attempt === 1));
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
