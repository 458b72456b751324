import type { Readable } from 'node:stream';

/** A request body: small bytes, or a function that opens a fresh stream per attempt. */
export type RequestBody = Buffer | (() => Readable | Promise<Readable>);

/**
 * One HTTP exchange with a registry (or a host it redirects to). The
 * transport wrappers (auth, retry, redirect, logging) all take and return
 * this shape around a single `send`.
 */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody;
  /** token scopes this request needs (`repository:<name>:pull,push`) */
  scopes?: string[];
  /**
   * May the retry wrapper send this request again after a failure? False for
   * uploads whose body the registry may have partly consumed (the upload
   * step restarts the session instead). Default true.
   */
  retryable?: boolean;
  signal?: AbortSignal;
}

export interface RegistryResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** must be consumed or destroyed by whoever receives the response */
  body: Readable;
  /** the URL that produced this response (after redirects) */
  url: URL;
}

/** The seam: every transport concern wraps one of these. */
export type Send = (request: RegistryRequest) => Promise<RegistryResponse>;

/** A transport wrapper (in the spirit of undici's interceptors / compose). */
export type SendWrapper = (next: Send) => Send;

export function compose(base: Send, ...wrappers: SendWrapper[]): Send {
  // the first wrapper is the outermost
  return wrappers.reduceRight<Send>((next, wrap) => wrap(next), base);
}

export function header(res: Pick<RegistryResponse, 'headers'>, name: string): string | undefined {
  const v = res.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function headerAll(res: Pick<RegistryResponse, 'headers'>, name: string): string[] {
  const v = res.headers[name.toLowerCase()];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** Throw away a response body we do not need (frees the connection). */
export function discard(res: RegistryResponse): void {
  res.body.resume();
  res.body.on('error', () => undefined);
}
