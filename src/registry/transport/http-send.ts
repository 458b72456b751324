import { Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, Pool, request, type Dispatcher } from 'undici';
import { throwIfAborted } from '../../errors';
import { isLoopbackHost } from './endpoint';
import { errorFromNetwork } from './response-error';
import type { RegistryRequest, RegistryResponse, Send } from './types';

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

/** the proxy settings of an environment, lower-case names first (as curl and Go read them) */
function proxyEnv(env: NodeJS.ProcessEnv): { httpProxy?: string; httpsProxy?: string; noProxy: string } | undefined {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { ...(httpProxy !== undefined ? { httpProxy } : {}), ...(httpsProxy !== undefined ? { httpsProxy } : {}), noProxy: pick('no_proxy') ?? '' };
}

/**
 * The base `send`: undici with one keep-alive Pool per registry origin and a
 * shared Agent for hosts the registry redirects to (storage backends).
 */
export class HttpTransport {
  private readonly pools = new Map<string, Dispatcher>();
  private readonly foreign: Dispatcher;
  private readonly proxy: Dispatcher | undefined;

  constructor(private readonly registryOrigins: readonly string[], private readonly options: HttpSendOptions = {}) {
    const env = options.env ?? process.env;
    const common = { bodyTimeout: options.bodyTimeoutMs ?? 60_000, headersTimeout: options.headersTimeoutMs ?? 60_000 };
    this.foreign = new Agent({ ...common, connections: options.connections ?? 8 });
    const proxy = options.proxyFromEnv === false ? undefined : proxyEnv(env);
    if (proxy !== undefined) {
      // the settings of the given environment (the CLI's), not necessarily process.env's
      const tls = this.tlsConnect();
      this.proxy = new EnvHttpProxyAgent({ ...common, ...proxy, connect: tls, requestTls: tls } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
    }
  }

  private tlsConnect(): { ca?: string[]; rejectUnauthorized: boolean } {
    const t = this.options.tls ?? {};
    return { ...(t.ca !== undefined && t.ca.length > 0 ? { ca: t.ca } : {}), rejectUnauthorized: t.verify !== false };
  }

  dispatcherFor(url: URL): Dispatcher {
    // loopback is never proxied, whatever NO_PROXY says (Go's rule, so docker's and skopeo's)
    if (this.proxy !== undefined && !isLoopbackHost(url.host)) return this.proxy;
    const origin = url.origin;
    if (!this.registryOrigins.includes(origin)) return this.foreign;
    let pool = this.pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.options.connections ?? 8,
        bodyTimeout: this.options.bodyTimeoutMs ?? 60_000,
        headersTimeout: this.options.headersTimeoutMs ?? 60_000,
        ...(url.protocol === 'https:' ? { connect: this.tlsConnect() } : {}),
      });
      this.pools.set(origin, pool);
    }
    return pool;
  }

  readonly send: Send = async (req: RegistryRequest): Promise<RegistryResponse> => {
    throwIfAborted(req.signal);
    let body: Buffer | Readable | undefined;
    if (req.body !== undefined) body = Buffer.isBuffer(req.body) ? req.body : await req.body();
    try {
      const res = await request(req.url, {
        dispatcher: this.dispatcherFor(req.url),
        method: req.method,
        headers: req.headers ?? {},
        ...(body !== undefined ? { body } : {}),
        ...(req.signal !== undefined ? { signal: req.signal } : {}),
        highWaterMark: RESPONSE_HIGH_WATER_MARK,
      });
      return { status: res.statusCode, headers: res.headers, body: res.body as unknown as Readable, url: req.url };
    } catch (err) {
      if (body instanceof Readable) body.destroy();
      throwIfAborted(req.signal);
      throw errorFromNetwork(err, req.url, `${req.method} ${req.url.pathname}`);
    }
  };

  async close(): Promise<void> {
    const all = [...this.pools.values(), this.foreign, ...(this.proxy ? [this.proxy] : [])];
    this.pools.clear();
    await Promise.all(all.map((d) => d.close().catch(() => undefined)));
  }
}
