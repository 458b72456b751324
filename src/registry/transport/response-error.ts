import { RegistryError, type ErrorCode } from '../../errors';
import { ERROR_BODY_MAX_BYTES, readCapped } from '../../stream/read-capped';
import { redactUrl } from './redact';
import { header, type RegistryResponse } from './types';

/** A distribution-spec error entry, as the registry sent it. */
export interface DistributionError {
  code: string;
  message?: string;
  detail?: unknown;
}

const BY_DISTRIBUTION_CODE: Record<string, ErrorCode> = {
  BLOB_UNKNOWN: 'REGISTRY_BLOB_UNKNOWN',
  BLOB_UPLOAD_INVALID: 'REGISTRY_UPLOAD_INVALID',
  BLOB_UPLOAD_UNKNOWN: 'REGISTRY_UPLOAD_INVALID',
  DIGEST_INVALID: 'REGISTRY_DIGEST_MISMATCH',
  MANIFEST_BLOB_UNKNOWN: 'REGISTRY_MANIFEST_INVALID',
  MANIFEST_INVALID: 'REGISTRY_MANIFEST_INVALID',
  MANIFEST_UNKNOWN: 'REGISTRY_MANIFEST_UNKNOWN',
  MANIFEST_UNVERIFIED: 'REGISTRY_MANIFEST_INVALID',
  NAME_INVALID: 'REGISTRY_NAME_UNKNOWN',
  NAME_UNKNOWN: 'REGISTRY_NAME_UNKNOWN',
  SIZE_INVALID: 'REGISTRY_DIGEST_MISMATCH',
  TAG_INVALID: 'REGISTRY_MANIFEST_INVALID',
  UNAUTHORIZED: 'REGISTRY_UNAUTHORIZED',
  DENIED: 'REGISTRY_DENIED',
  UNSUPPORTED: 'REGISTRY_UNSUPPORTED',
  TOOMANYREQUESTS: 'REGISTRY_TOO_MANY_REQUESTS',
  UNAVAILABLE: 'REGISTRY_UNAVAILABLE',
};

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'REGISTRY_UNAUTHORIZED';
  if (status === 403) return 'REGISTRY_DENIED';
  if (status === 404) return 'REGISTRY_NAME_UNKNOWN';
  if (status === 416) return 'REGISTRY_UPLOAD_INVALID';
  if (status === 429) return 'REGISTRY_TOO_MANY_REQUESTS';
  if (status === 408 || status >= 500) return 'REGISTRY_UNAVAILABLE';
  return 'REGISTRY_PROTOCOL';
}

/** Parse a distribution error body; anything else gives an empty list. */
export function parseDistributionErrors(raw: Buffer): DistributionError[] {
  try {
    const o = JSON.parse(raw.toString('utf8')) as { errors?: unknown };
    if (!Array.isArray(o.errors)) return [];
    return o.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string')
      .map((e) => ({ code: e.code as string, ...(typeof e.message === 'string' ? { message: e.message } : {}), ...(e.detail !== undefined ? { detail: e.detail } : {}) }));
  } catch {
    return [];
  }
}

export interface ErrorContext {
  /** what hoist was doing: "pull manifest", "upload blob sha256:…" */
  action: string;
  repository?: string;
  /** a code for a 404 when the body says nothing (MANIFEST_UNKNOWN for a manifest GET) */
  notFoundCode?: ErrorCode;
}

/**
 * Turn an unexpected response into a coded RegistryError. The body is read
 * through a 64 KiB cap; the registry's own error codes are kept in details.
 */
export async function errorFromResponse(res: RegistryResponse, ctx: ErrorContext): Promise<RegistryError> {
  let raw: Buffer = Buffer.alloc(0);
  try {
    raw = await readCapped(res.body, ERROR_BODY_MAX_BYTES, 'registry error body');
  } catch {
    res.body.destroy();
  }
  const errors = parseDistributionErrors(raw);
  const first = errors[0];
  let code: ErrorCode = first !== undefined ? (BY_DISTRIBUTION_CODE[first.code] ?? codeForStatus(res.status)) : codeForStatus(res.status);
  if (first === undefined && res.status === 404 && ctx.notFoundCode !== undefined) code = ctx.notFoundCode;
  const said = errors.length > 0 ? errors.map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}`).join('; ') : `HTTP ${res.status}`;
  const where = ctx.repository !== undefined ? ` (${ctx.repository})` : '';
  const details: Record<string, unknown> = {
    status: res.status,
    url: redactUrl(res.url),
    ...(ctx.repository !== undefined ? { repository: ctx.repository } : {}),
    ...(errors.length > 0 ? { registryErrors: errors } : {}),
  };
  const retryAfter = header(res, 'retry-after');
  if (retryAfter !== undefined) details.retryAfter = retryAfter;
  return new RegistryError(code, `${ctx.action}${where}: ${said}`, details);
}

/** Map a connection-level failure (ECONNRESET, TLS, ...) to a coded error. */
export function errorFromNetwork(err: unknown, url: URL, action: string, throughProxy?: string): RegistryError {
  const e = err as { code?: string; message?: string };
  const code = e.code ?? '';
  const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL/i.test(code) || /wrong version number|certificate/i.test(e.message ?? '');
  return new RegistryError(
    tls ? 'REGISTRY_TLS' : 'REGISTRY_UNAVAILABLE',
    `${action}: ${tls ? 'TLS error' : 'connection failed'} talking to ${url.host}${throughProxy !== undefined ? ` through the proxy ${throughProxy}` : ''}: ${e.message ?? String(err)}`,
    { url: redactUrl(url), cause: code, ...(throughProxy !== undefined ? { proxy: throughProxy } : {}) },
    { cause: err },
  );
}

/** Is this a network-level error worth retrying (not TLS, not abort)? */
export function isRetryableNetworkError(err: unknown): boolean {
  const e = err as { code?: string; name?: string; isHoistError?: boolean; kind?: string };
  if (e.isHoistError === true) return e.kind === 'unavailable';
  if (e.name === 'AbortError') return false;
  const code = e.code ?? '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return false;
  return /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|UND_ERR_.*)$/.test(code) &&
    code !== 'UND_ERR_ABORTED' && code !== 'UND_ERR_INVALID_ARG' && code !== 'UND_ERR_NOT_SUPPORTED';
}
