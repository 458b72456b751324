import type { Readable, Writable } from 'node:stream';
import { hasKind, isHoistError, RegistryError, throwIfAborted } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import type { ContentStore, ContentWriter } from '../../store/types';
import { ProgressThrottle } from '../../progress';
import type { RegistryClient } from '../registry-client';
import { backoffDelay, sleepWithSignal } from '../transport/backoff';

export interface DownloadResult {
  status: 'exists' | 'fetched';
  /** bytes received over the network */
  bytes: number;
}

/**
 * Writes a body into the writer with backpressure; the writer hashes and
 * counts. Flowing mode ('data' events) hands over the chunks as they came
 * off the socket: an async iterator would concatenate the buffered ones first
 * (a copy of every byte). A tee (an unpack while pulling) gets the same chunks
 * and holds the body back as the writer does, until it is destroyed.
 */
function pump(body: Readable, w: ContentWriter, onBytes: () => void, tee?: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let waiting = 0;
    const finish = (err?: Error | null) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', finish);
      w.off('drain', onDrain);
      w.off('error', onWriterError);
      tee?.off('drain', onDrain);
      tee?.off('close', onTeeClose);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      if (!w.write(chunk)) waiting++;
      if (tee !== undefined && !tee.destroyed && !tee.write(chunk)) waiting++;
      if (waiting > 0) body.pause();
      onBytes();
    };
    const onDrain = () => {
      if (waiting > 0 && --waiting === 0) body.resume();
    };
    // a tee that gave up no longer holds the download back
    const onTeeClose = () => {
      waiting = 0;
      body.resume();
    };
    const onEnd = () => finish();
    const onWriterError = (err: Error) => {
      finish(err);
      // destroying emits an abort error on the body once our listeners are gone: absorb it
      body.on('error', () => undefined);
      body.destroy();
    };
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', finish);
    w.on('drain', onDrain);
    w.on('error', onWriterError);
    tee?.on('drain', onDrain);
    tee?.on('close', onTeeClose);
  });
}

async function openWriter(store: ContentStore, desc: Descriptor, signal?: AbortSignal): Promise<ContentWriter | undefined> {
  // the ref is stable, so a pull killed midway leaves data a later pull resumes
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    try {
      return await store.writer({ ref: `pull-${desc.digest}`, expected: { digest: desc.digest, size: desc.size }, resume: true, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (!isHoistError(err, 'INGEST_LOCKED')) throw err;
      // another process pulls the same blob: wait for it, then use its result
      await sleepWithSignal(wait, signal);
      if ((await store.renew([desc.digest])).length === 0) return undefined;
    }
  }
}

/**
 * Fetch one blob into the store, verified as it streams (the store's writer
 * hashes and checks size and digest at commit). An interrupted body resumes
 * with Range from the bytes already written (206), or starts over when the
 * registry ignores Range (200). A digest mismatch discards the ingest.
 */
export async function downloadBlob(
  client: RegistryClient,
  store: ContentStore,
  repository: string,
  desc: Descriptor,
  signal?: AbortSignal,
  tee?: Writable,
): Promise<DownloadResult> {
  // a tee gets the whole blob from its first byte in order, or is destroyed (it never sees a gap or a restart)
  const dropTee = (why: string): void => {
    if (tee !== undefined && !tee.destroyed && !tee.writableEnded) tee.destroy(new Error(`unpack while pulling stopped: ${why}`));
  };
  try {
    return await download(client, store, repository, desc, signal, tee, dropTee);
  } finally {
    dropTee('the download ended without the whole blob'); // a no-op once the tee was ended
  }
}

async function download(
  client: RegistryClient,
  store: ContentStore,
  repository: string,
  desc: Descriptor,
  signal: AbortSignal | undefined,
  tee: Writable | undefined,
  dropTee: (why: string) => void,
): Promise<DownloadResult> {
  // renewed, not just found: the caller's lease then protects it until the tag is visible
  if ((await store.renew([desc.digest])).length === 0) {
    client.emit({ type: 'blob-skip', action: 'pull', digest: desc.digest, size: desc.size, reason: 'exists' });
    return { status: 'exists', bytes: 0 };
  }
  let w = await openWriter(store, desc, signal);
  if (w === undefined) return { status: 'exists', bytes: 0 };
  if (w.status().offset > 0) dropTee('resuming an earlier ingest');
  let received = 0;
  const progress = new ProgressThrottle(client.emit, 'pull', desc.digest, desc.size);
  client.emit({ type: 'blob-start', action: 'pull', digest: desc.digest, size: desc.size, mediaType: desc.mediaType, offset: w.status().offset });
  try {
    for (let attempt = 1; ; attempt++) {
      throwIfAborted(signal);
      const offset = w.status().offset;
      let inBody = false;
      try {
        if (offset < desc.size) {
          // the transport already retried the request itself; this loop retries a body cut short
          const res = await client.fetchBlob(repository, desc, { offset, ...(signal ? { signal } : {}) });
          inBody = true;
          if (res.offset !== offset) {
            // the registry ignored Range: start this ingest over
            dropTee('the registry restarted the blob');
            await w.abort();
            w = (await store.writer({ ref: `pull-${desc.digest}`, expected: { digest: desc.digest, size: desc.size }, ...(signal ? { signal } : {}) }));
          }
          const writer = w;
          await pump(res.body, writer, () => progress.update(writer.status().offset), tee);
          received += writer.status().offset - res.offset;
        }
        progress.update(w.status().offset, true);
        await w.commit();
        tee?.end(); // every byte, verified against the digest
        client.emit({ type: 'blob-done', action: 'pull', digest: desc.digest, size: desc.size });
        return { status: 'fetched', bytes: received };
      } catch (err) {
        const retryable = inBody && (!isHoistError(err) || hasKind(err, 'unavailable'));
        if (!retryable || attempt >= client.policy.maxAttempts || signal?.aborted) throw err;
        const delayMs = backoffDelay(attempt, client.policy);
        const reason = `${(err as Error).message} (resuming at byte ${w.status().offset})`;
        client.options.debug?.(`retry ${attempt}/${client.policy.maxAttempts - 1} in ${delayMs} ms: blob ${desc.digest}: ${reason}`);
        client.emit({ type: 'retry', attempt, maxAttempts: client.policy.maxAttempts, delayMs, reason, what: `get blob ${desc.digest}` });
        await sleepWithSignal(delayMs, signal);
      }
    }
  } catch (err) {
    await w.abort();
    if (isHoistError(err, 'CONTENT_DIGEST_MISMATCH') || isHoistError(err, 'CONTENT_SIZE_MISMATCH')) {
      const d = err.details;
      throw new RegistryError(
        'REGISTRY_DIGEST_MISMATCH',
        `blob from ${client.host}/${repository} does not match its descriptor: expected ${String(d.expected)}, found ${String(d.found)}${err.code === 'CONTENT_SIZE_MISMATCH' ? ' bytes' : ''}; discarded`,
        { repository, digest: desc.digest, expected: d.expected, found: d.found, check: err.code === 'CONTENT_SIZE_MISMATCH' ? 'size' : 'digest' },
        { cause: err },
      );
    }
    throw err;
  }
}
