import { setMaxListeners } from 'node:events';

/**
 * Run `fn` over `items` with at most `limit` in flight. The first failure
 * aborts the shared controller (so the others stop between chunks) and is
 * the error thrown, after every started task has settled.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, signal: AbortSignal) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const controller = new AbortController();
  // every request of every task listens on it
  setMaxListeners(0, controller.signal);
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const results: R[] = new Array(items.length);
  let next = 0;
  let firstError: { err: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && firstError === undefined) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, controller.signal);
      } catch (err) {
        if (firstError === undefined) {
          firstError = { err };
          controller.abort(err);
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  if (firstError !== undefined) throw firstError.err;
  return results;
}
