import { setTimeout as sleep } from 'node:timers/promises';
import { throwIfAborted } from '../../errors';

export interface BackoffPolicy {
  /** total attempts including the first (default 5) */
  maxAttempts: number;
  /** first delay (default 250 ms); doubles per attempt */
  baseMs: number;
  /** cap for one computed delay (default 8 s) */
  maxMs: number;
  /** cap for a server's Retry-After (default 60 s); a longer one fails fast */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { maxAttempts: 5, baseMs: 250, maxMs: 8000, maxRetryAfterMs: 60_000 };

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * Delay before retry number `attempt` (1-based): exponential with "equal
 * jitter" (half fixed, half random), or the server's Retry-After when given.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, retryAfterMs?: number, random = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Statuses worth another try: 408, 429 and 5xx except 501/505. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

export async function sleepWithSignal(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
  } catch (err) {
    throwIfAborted(signal);
    throw err;
  }
}
