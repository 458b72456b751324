import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type { Readable } from 'node:stream';
import { tlsCaOption } from '../../sys/extra-ca';

/* eslint-disable @typescript-eslint/no-require-imports */
let httpModule: typeof Http | undefined;
let httpsModule: typeof Https | undefined;
/** node:http on first use (a module that uses a builtin as it loads cannot be in a start-up snapshot, docs/run.md) */
function http(): typeof Http {
  return (httpModule ??= require('node:http') as typeof Http);
}
/** node:https (with node:tls: ~10 ms to load) only for the first https URL: a plain-HTTP registry never needs it */
function https(): typeof Https {
  return (httpsModule ??= require('node:https') as typeof Https);
}
/* eslint-enable @typescript-eslint/no-require-imports */

export interface DirectHttpOptions {
  /** keep-alive connections per origin */
  connections: number;
  /** idle time allowed on the socket: waiting for the headers, between body chunks */
  timeoutMs: number;
  /** TLS settings for the registry's own origins (other hosts get node's defaults, with a deferred NODE_EXTRA_CA_CERTS) */
  tls: { ca?: string[]; rejectUnauthorized: boolean };
}

export interface DirectResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Headers as undici gave them: one value as a string, a repeated header as an array. */
function headersOf(res: Http.IncomingMessage): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(res.headersDistinct)) {
    if (values !== undefined) out[name] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

/**
 * Requests without a proxy, through node's own HTTP client: one keep-alive
 * agent per registry origin (its CAs), one per scheme for other hosts (token
 * realms, storage backends a registry redirects to). node:http is part of
 * node's start-up snapshot; undici's dispatchers and parser cost a mount-only
 * push ~30 ms of CPU to load (docs/push.md, "Start time"). Proxied requests
 * stay with undici (http-send.ts).
 */
export class DirectHttp {
  private readonly agents = new Map<string, Http.Agent>();

  constructor(
    private readonly registryOrigins: readonly string[],
    private readonly options: DirectHttpOptions,
  ) {}

  private agentFor(url: URL): Http.Agent {
    const registry = this.registryOrigins.includes(url.origin);
    const key = registry ? url.origin : url.protocol;
    let agent = this.agents.get(key);
    if (agent === undefined) {
      const common = { keepAlive: true, maxSockets: this.options.connections, scheduling: 'lifo' as const };
      agent = url.protocol === 'https:' ? new (https().Agent)({ ...common, ...(registry ? this.options.tls : tlsCaOption()) }) : new (http().Agent)(common);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /**
   * One exchange: resolves at the response's headers with its body unread.
   * A body stream's own error (a blob that fails its digest on the way) is
   * the request's error, not the connection reset it causes.
   */
  request(url: URL, method: string, headers: Record<string, string>, body: Buffer | Readable | undefined, signal: AbortSignal | undefined): Promise<DirectResponse> {
    return new Promise((resolve, reject) => {
      let bodyError: unknown;
      const req = (url.protocol === 'https:' ? https() : http()).request(url, {
        method,
        headers,
        agent: this.agentFor(url),
        timeout: this.options.timeoutMs,
        ...(signal !== undefined ? { signal } : {}),
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no data from ${url.host} for ${this.options.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => reject(bodyError ?? err));
      req.on('response', (res) => resolve({ status: res.statusCode ?? 0, headers: headersOf(res), body: res }));
      if (body === undefined || Buffer.isBuffer(body)) {
        req.end(body);
        return;
      }
      body.on('error', (err) => {
        bodyError = err;
        req.destroy(err);
      });
      body.pipe(req);
    });
  }

  close(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
