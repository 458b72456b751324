/* eslint-disable @typescript-eslint/no-require-imports */
import type * as Undici from 'undici';

/** What the transport uses of undici. */
export interface UndiciParts {
  Pool: typeof Undici.Pool;
  Agent: typeof Undici.Agent;
  /** loaded on first use: only a request through a proxy needs it */
  proxyAgent(): typeof Undici.ProxyAgent;
  /** undici's `request(url, { dispatcher, ... })` */
  request(url: URL, options: { dispatcher: Undici.Dispatcher } & Omit<Undici.Dispatcher.RequestOptions, 'origin' | 'path'>): Promise<Undici.Dispatcher.ResponseData>;
}

type RequestApi = (this: Undici.Dispatcher, options: Undici.Dispatcher.RequestOptions) => Promise<Undici.Dispatcher.ResponseData>;

/**
 * undici's own entry (`require('undici')`) loads all of it: fetch, web
 * streams, websockets, caches, mocks: ~150 ms of CPU at start against ~45 ms
 * for the dispatchers and the request API that a registry client uses (every
 * push and pull pays it; docs/push.md, "Start time"). Those parts are loaded
 * from their files, and the entry, as before, if a later undici moves them.
 */
function loadParts(): UndiciParts {
  try {
    const Dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
    const api = require('undici/lib/api') as { request: RequestApi };
    // what undici's entry does at load: the dispatchers' request/stream/connect methods (ProxyAgent's CONNECT uses them)
    Object.assign(Dispatcher.prototype, api);
    return {
      Pool: require('undici/lib/dispatcher/pool') as typeof Undici.Pool,
      Agent: require('undici/lib/dispatcher/agent') as typeof Undici.Agent,
      proxyAgent: () => require('undici/lib/dispatcher/proxy-agent') as typeof Undici.ProxyAgent,
      request: (url, { dispatcher, ...options }) =>
        api.request.call(dispatcher, { ...options, origin: url.origin, path: url.search ? `${url.pathname}${url.search}` : url.pathname }),
    };
  } catch {
    const undici = require('undici') as typeof Undici;
    return { Pool: undici.Pool, Agent: undici.Agent, proxyAgent: () => undici.ProxyAgent, request: (url, options) => undici.request(url, options) };
  }
}

let parts: UndiciParts | undefined;

export function undiciParts(): UndiciParts {
  return (parts ??= loadParts());
}
