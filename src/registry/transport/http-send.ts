import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { isHoistError, throwIfAborted } from '../../errors';
import { proxyFor, proxySettingsOf, type ProxySettings } from './proxy-env';
import { redactUrl } from './redact';
import { errorFromNetwork } from './response-error';
import type { RegistryRequest, RegistryResponse, Send } from './types';
import { tlsCaOption } from '../../sys/extra-ca';
import { undiciParts } from './undici-parts';
import { DirectHttp } from './direct-http';

export interface TlsSettings {
  /** CA certificates (PEM) to trust; replaces nothing: added to the system roots */
  ca?: string[];
  /** verify the server's certificate (default true) */
  verify?: boolean;
}

export interface HttpSendOptions {
  /** TLS settings for the registry's own origin */
  tls?: TlsSettings;
  /** keep-alive connections per origin (default 8) */
  connections?: number;
  /** idle time allowed between body chunks (default 60 s) */
  bodyTimeoutMs?: number;
  headersTimeoutMs?: number;
  /** honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY (default true) */
  proxyFromEnv?: boolean;
  env?: NodeJS.ProcessEnv;
}

const RESPONSE_HIGH_WATER_MARK = 1024 * 1024;

/**
 * The base `send`. Without a proxy, node's HTTP client (`direct-http.ts`):
 * one keep-alive agent per registry origin and shared ones for hosts the
 * registry redirects to (storage backends). Through a proxy, undici's
 * ProxyAgent (CONNECT tunnels), loaded only then.
 */
export class HttpTransport {
  private readonly direct: DirectHttp;
  /** the settings of the given environment (the CLI's), not necessarily process.env's */
  private readonly proxySettings: ProxySettings | undefined;
  private readonly proxies = new Map<string, Dispatcher>();

  constructor(registryOrigins: readonly string[], private readonly options: HttpSendOptions = {}) {
    this.direct = new DirectHttp(registryOrigins, { connections: options.connections ?? 8, timeoutMs: Math.max(this.timeouts().bodyTimeout, this.timeouts().headersTimeout), tls: this.tlsConnect() });
    this.proxySettings = options.proxyFromEnv === false ? undefined : proxySettingsOf(options.env ?? process.env);
  }

  private timeouts(): { bodyTimeout: number; headersTimeout: number } {
    return { bodyTimeout: this.options.bodyTimeoutMs ?? 60_000, headersTimeout: this.options.headersTimeoutMs ?? 60_000 };
  }

  /** The proxy a request to `url` goes through (docker's and skopeo's rules: proxy-env.ts), or undefined. */
  proxyFor(url: URL): string | undefined {
    return this.proxySettings === undefined ? undefined : proxyFor(this.proxySettings, url);
  }

  private tlsConnect(): { ca?: string[]; rejectUnauthorized: boolean } {
    const t = this.options.tls ?? {};
    return { ...(t.ca !== undefined && t.ca.length > 0 ? { ca: t.ca } : {}), rejectUnauthorized: t.verify !== false };
  }

  private proxyAgent(proxy: string): Dispatcher {
    let agent = this.proxies.get(proxy);
    if (agent === undefined) {
      // undici tunnels with CONNECT (for plain http too); TLS settings for the registry inside it
      agent = new (undiciParts().proxyAgent())({ ...this.timeouts(), uri: proxy, requestTls: this.tlsConnect(), proxyTls: tlsCaOption() });
      this.proxies.set(proxy, agent);
    }
    return agent;
  }

  readonly send: Send = async (req: RegistryRequest): Promise<RegistryResponse> => {
    throwIfAborted(req.signal);
    let body: Buffer | Readable | undefined;
    if (req.body !== undefined) body = Buffer.isBuffer(req.body) ? req.body : await req.body();
    const proxy = this.proxyFor(req.url);
    try {
      if (proxy === undefined) {
        const res = await this.direct.request(req.url, req.method, req.headers ?? {}, body, req.signal);
        return { ...res, url: req.url };
      }
      const res = await undiciParts().request(req.url, {
        dispatcher: this.proxyAgent(proxy),
        method: req.method,
        headers: req.headers ?? {},
        ...(body !== undefined ? { body } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
        // undici closes the connection after every HEAD (for servers that send a body with it) unless told not to
        ...(req.method === 'HEAD' ? { reset: false } : {}),
        highWaterMark: RESPONSE_HIGH_WATER_MARK,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body as unknown as Readable, url: req.url };
    } catch (err) {
      if (body instanceof Readable) body.destroy();
      throwIfAborted(req.signal);
      // the body's own failure (a blob damaged in the store fails its digest on the way): not the connection's
      if (isHoistError(err)) throw err;
      throw errorFromNetwork(err, req.url, `${req.method} ${req.url.pathname}`, proxy !== undefined ? redactUrl(proxy) : undefined);
    }
  };

  async close(): Promise<void> {
    this.direct.close();
    const all = [...this.proxies.values()];
    this.proxies.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }
}
