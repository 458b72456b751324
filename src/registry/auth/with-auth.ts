import { RegistryError } from '../../errors';
import type { Send, SendWrapper, RegistryRequest, RegistryResponse } from '../transport/types';
import { discard, headerAll } from '../transport/types';
import { mergeScopes, parseChallenges, splitScopes, type Challenge } from './challenge';
import { hasCredentials, type CredentialSource, type Credentials } from './credentials';
import { fetchToken, type Token } from './fetch-token';

/** Refresh a token this long before it expires (a long push outlives short tokens). */
const EXPIRY_MARGIN_MS = 10_000;

export interface AuthOptions {
  /** the registry host (`host[:port]`) the credentials are looked up for */
  host: string;
  /** origins this auth applies to (the registry's); others never get Authorization */
  origins: readonly string[];
  credentials?: CredentialSource;
  /** sends token requests (to the realm, usually another host) */
  tokenSend: Send;
  /** called once per fetched token (tests, --debug): scopes only, never the token */
  onToken?: (info: { scopes: string[]; realm: string }) => void;
}

/**
 * The auth wrapper: answers WWW-Authenticate challenges (Basic, Bearer),
 * caches tokens per scope set, refreshes them before they expire, and on a
 * 401 for a request that carried a token (expired or revoked mid-push)
 * fetches a fresh one and sends the request once more.
 */
export class AuthSession {
  private challenge: Challenge | undefined;
  private credentials: Promise<Credentials | undefined> | undefined;
  private readonly tokens = new Map<string, Token>();
  private readonly inflight = new Map<string, Promise<Token>>();

  constructor(private readonly options: AuthOptions) {}

  private creds(): Promise<Credentials | undefined> {
    this.credentials ??= this.options.credentials?.(this.options.host) ?? Promise.resolve(undefined);
    return this.credentials;
  }

  private async token(scopes: string[], signal: AbortSignal | undefined, fresh: boolean): Promise<Token> {
    const key = scopes.join(' ');
    const cached = this.tokens.get(key);
    if (!fresh && cached !== undefined && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached;
    if (fresh) this.tokens.delete(key);
    let p = this.inflight.get(key);
    if (p === undefined) {
      const ch = this.challenge!;
      const realm = ch.params.realm;
      if (realm === undefined) throw new RegistryError('REGISTRY_PROTOCOL', `Bearer challenge from ${this.options.host} has no realm`, { host: this.options.host });
      const credentials = await this.creds();
      p = fetchToken(this.options.tokenSend, {
        realm,
        ...(ch.params.service !== undefined ? { service: ch.params.service } : {}),
        scopes,
        ...(credentials !== undefined ? { credentials } : {}),
        ...(signal ? { signal } : {}),
      }).then((t) => {
        this.tokens.set(key, t);
        this.options.onToken?.({ scopes, realm });
        return t;
      });
      this.inflight.set(key, p);
      p.finally(() => this.inflight.delete(key)).catch(() => undefined);
    }
    return p;
  }

  private async authorize(req: RegistryRequest, scopes: string[], fresh: boolean): Promise<string | undefined> {
    const ch = this.challenge;
    if (ch === undefined) return undefined;
    if (ch.scheme === 'bearer') {
      const c = await this.creds();
      if (c?.registryToken !== undefined) return `Bearer ${c.registryToken}`;
      return `Bearer ${(await this.token(scopes, req.signal, fresh)).token}`;
    }
    if (ch.scheme === 'basic') {
      const c = await this.creds();
      if (!hasCredentials(c) || c.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${c.username ?? ''}:${c.password}`).toString('base64')}`;
    }
    return undefined;
  }

  readonly wrap: SendWrapper = (next) => async (req) => {
    if (!this.options.origins.includes(req.url.origin)) return next(req);
    const scopes = mergeScopes(req.scopes ?? []);
    const withAuth = (authorization: string | undefined): RegistryRequest =>
      authorization === undefined ? req : { ...req, headers: { ...(req.headers ?? {}), authorization } };
    const sentAuth = await this.authorize(req, scopes, false);
    const res: RegistryResponse = await next(withAuth(sentAuth));
    if (res.status !== 401) return res;
    const challenges = parseChallenges(headerAll(res, 'www-authenticate'));
    const ch = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
    if (ch === undefined) return res;
    const known = this.challenge;
    this.challenge = ch;
    const allScopes = ch.scheme === 'bearer' ? mergeScopes([...scopes, ...splitScopes(ch.params.scope)]) : scopes;
    // a second try helps when we sent nothing, sent another scheme, or our token went stale
    if (sentAuth !== undefined && known?.scheme === ch.scheme && ch.scheme === 'basic') return res;
    const authorization = await this.authorize(req, allScopes, sentAuth !== undefined);
    if (authorization === undefined) return res;
    discard(res);
    return next(withAuth(authorization));
  };
}
