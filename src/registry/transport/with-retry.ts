import { backoffDelay, DEFAULT_BACKOFF, isRetryableStatus, parseRetryAfter, sleepWithSignal, type BackoffPolicy } from './backoff';
import { redactUrl } from './redact';
import { isRetryableNetworkError } from './response-error';
import { discard, header, type RegistryRequest, type SendWrapper } from './types';

/** What a retry reports (the client turns it into a `retry` progress event). */
export interface RetryNotice {
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  method: string;
  /** redacted */
  url: string;
  reason: string;
}

export interface RetryOptions {
  policy?: Partial<BackoffPolicy>;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Retries connection errors and 408/429/5xx with exponential backoff and
 * jitter, honouring Retry-After; bounded. Requests marked `retryable: false`
 * pass through once. The last response is returned as it is, for the caller
 * to turn into a coded error.
 */
export function withRetry(options: RetryOptions = {}): SendWrapper {
  const policy: BackoffPolicy = { ...DEFAULT_BACKOFF, ...options.policy };
  return (next) => async (req: RegistryRequest) => {
    if (req.retryable === false) return next(req);
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfterMs: number | undefined;
      try {
        const res = await next(req);
        if (!isRetryableStatus(res.status) || attempt >= policy.maxAttempts) return res;
        retryAfterMs = parseRetryAfter(header(res, 'retry-after'));
        if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return res;
        reason = `HTTP ${res.status}`;
        discard(res);
      } catch (err) {
        if (!isRetryableNetworkError(err) || attempt >= policy.maxAttempts) throw err;
        reason = (err as Error).message;
      }
      const delayMs = backoffDelay(attempt, policy, retryAfterMs);
      options.onRetry?.({ attempt, maxAttempts: policy.maxAttempts, delayMs, method: req.method, url: redactUrl(req.url), reason });
      await sleepWithSignal(delayMs, req.signal);
    }
  };
}
