import { RegistryError } from '../../errors';
import { ERROR_BODY_MAX_BYTES, readCapped } from '../../stream/read-capped';
import { redactText, redactUrl } from '../transport/redact';
import { parseDistributionErrors } from '../transport/response-error';
import type { Send } from '../transport/types';
import { secretsOf, type Credentials } from './credentials';

export interface Token {
  token: string;
  /** ms since the epoch; tokens are refreshed a little before */
  expiresAt: number;
  refreshToken?: string;
}

export interface TokenRequest {
  realm: string;
  service?: string;
  scopes: string[];
  credentials?: Credentials;
  signal?: AbortSignal;
}

/** The spec's default lifetime when the server gives none: 60 s. */
const DEFAULT_EXPIRES_IN = 60;

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64')}`;
}

/**
 * Fetch a bearer token from the realm named by a challenge (the docker token
 * protocol: GET with Basic credentials, or the OAuth2 POST with a refresh
 * token when the credentials are an identity token).
 */
export async function fetchToken(send: Send, req: TokenRequest): Promise<Token> {
  const url = new URL(req.realm);
  const c = req.credentials;
  let res;
  if (c?.identityToken !== undefined) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: c.identityToken, client_id: 'hoist' });
    if (req.service !== undefined) form.set('service', req.service);
    if (req.scopes.length > 0) form.set('scope', req.scopes.join(' '));
    res = await send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form.toString()),
      ...(req.signal ? { signal: req.signal } : {}),
    });
  } else {
    if (req.service !== undefined) url.searchParams.set('service', req.service);
    for (const s of req.scopes) url.searchParams.append('scope', s);
    if (c?.username !== undefined) url.searchParams.set('account', c.username);
    const headers: Record<string, string> = {};
    if (c?.password !== undefined) headers.authorization = basic(c);
    res = await send({ method: 'GET', url, headers, ...(req.signal ? { signal: req.signal } : {}) });
  }
  let raw: Buffer;
  try {
    raw = await readCapped(res.body, ERROR_BODY_MAX_BYTES, 'token response');
  } catch (err) {
    res.body.destroy();
    throw err;
  }
  if (res.status !== 200) {
    const errs = parseDistributionErrors(raw);
    const said = errs.length > 0 ? errs.map((e) => `${e.code}: ${e.message ?? ''}`).join('; ') : `HTTP ${res.status}`;
    throw new RegistryError(
      res.status === 401 || res.status === 403 ? 'REGISTRY_UNAUTHORIZED' : res.status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'REGISTRY_UNAUTHORIZED',
      `token request to ${url.host} failed: ${redactText(said, secretsOf(c))}`,
      { status: res.status, realm: redactUrl(req.realm), scopes: req.scopes },
    );
  }
  let o: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown; refresh_token?: unknown };
  try {
    o = JSON.parse(raw.toString('utf8')) as typeof o;
  } catch {
    throw new RegistryError('REGISTRY_PROTOCOL', `token response from ${url.host} is not JSON`, { realm: redactUrl(req.realm) });
  }
  const token = typeof o.token === 'string' && o.token !== '' ? o.token : typeof o.access_token === 'string' ? o.access_token : undefined;
  if (token === undefined || token === '') {
    throw new RegistryError('REGISTRY_PROTOCOL', `token response from ${url.host} has no token`, { realm: redactUrl(req.realm) });
  }
  const expiresIn = typeof o.expires_in === 'number' && o.expires_in > 0 ? o.expires_in : DEFAULT_EXPIRES_IN;
  const issued = typeof o.issued_at === 'string' ? Date.parse(o.issued_at) : NaN;
  const start = Number.isNaN(issued) ? Date.now() : Math.min(Date.now(), issued);
  return { token, expiresAt: start + expiresIn * 1000, ...(typeof o.refresh_token === 'string' ? { refreshToken: o.refresh_token } : {}) };
}
