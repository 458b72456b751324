import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyRequestInfo {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** 1-based count of requests seen so far */
  seq: number;
}

/** What the proxy does with one request. */
export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'respond'; status: number; headers?: Record<string, string>; body?: string }
  /** forward, but cut the connection after this many response body bytes */
  | { kind: 'drop-response'; afterBytes: number }
  /** read this many request body bytes, then cut the connection (an upload dies) */
  | { kind: 'drop-request'; afterBytes: number }
  /** forward, flipping one byte of the response body */
  | { kind: 'corrupt' }
  /** forward, holding the registry's answer back this long (requests sent at once then overlap) */
  | { kind: 'delay'; ms: number };

export type FaultRule = (req: ProxyRequestInfo) => FaultAction | undefined;

export interface ProxyLogEntry {
  method: string;
  path: string;
  status: number;
  action: FaultAction['kind'];
  range?: string;
  authorization?: string;
  /** requests this proxy was still answering when this one arrived (0: nothing else in flight) */
  inFlight: number;
  /** how many requests had been answered in full when this one arrived */
  doneBefore: number;
}

/** A loopback HTTP proxy in front of the real registry that injects faults by rule. */
export interface FaultProxy {
  host: string;
  log: ProxyLogEntry[];
  /** TCP connections accepted so far (a client that keeps connections alive opens few) */
  connections(): number;
  /** connections whose first bytes were not HTTP (a client trying TLS here) */
  notHttp(): number;
  setRule(rule: FaultRule | undefined): void;
  stop(): Promise<void>;
}

/**
 * `keepAliveMs` is the proxy's idle timeout for client connections, sent as
 * `Keep-Alive: timeout=`: undici keeps no connection whose timeout is under
 * its 2 s threshold, so the default (1 s) means a connection per request.
 */
export async function startFaultProxy(upstreamPort: number, options: { keepAliveMs?: number } = {}): Promise<FaultProxy> {
  let rule: FaultRule | undefined;
  let seq = 0;
  let inFlight = 0;
  let done = 0;
  let connections = 0;
  const log: ProxyLogEntry[] = [];
  const server = http.createServer((req, res) => {
    const info: ProxyRequestInfo = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, seq: ++seq };
    const action = rule?.(info) ?? { kind: 'pass' };
    const entry: ProxyLogEntry = {
      method: info.method,
      path: info.path,
      status: 0,
      action: action.kind,
      ...(req.headers.range ? { range: req.headers.range } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      inFlight,
      doneBefore: done,
    };
    log.push(entry);
    inFlight++;
    res.on('close', () => {
      inFlight--;
      done++;
    });
    if (action.kind === 'respond') {
      req.resume();
      entry.status = action.status;
      res.writeHead(action.status, { 'content-type': 'application/json', ...(action.headers ?? {}) });
      res.end(action.body ?? '');
      return;
    }
    if (action.kind === 'drop-request') {
      let got = 0;
      req.on('data', (c: Buffer) => {
        got += c.length;
        if (got >= action.afterBytes) req.socket.destroy();
      });
      req.on('end', () => req.socket.destroy());
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      if (action.kind === 'delay') setTimeout(() => answer(ur), action.ms);
      else answer(ur);
    });
    const answer = (ur: http.IncomingMessage): void => {
      entry.status = ur.statusCode ?? 0;
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      let sent = 0;
      let flipped = false;
      ur.on('data', (c: Buffer) => {
        if (action.kind === 'drop-response' && sent + c.length > action.afterBytes) {
          res.write(c.subarray(0, Math.max(0, action.afterBytes - sent)));
          sent = action.afterBytes;
          ur.destroy();
          setImmediate(() => res.socket?.destroy());
          return;
        }
        if (action.kind === 'corrupt' && !flipped && c.length > 0) {
          c = Buffer.from(c);
          c[0] = c[0]! ^ 0xff;
          flipped = true;
        }
        sent += c.length;
        res.write(c);
      });
      ur.on('end', () => res.end());
      ur.on('error', () => res.socket?.destroy());
    };
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });
  server.on('connection', () => connections++);
  let notHttp = 0;
  server.on('clientError', (_err, socket) => {
    notHttp++;
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.keepAliveTimeout = options.keepAliveMs ?? 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    log,
    connections: () => connections,
    notHttp: () => notHttp,
    setRule: (r) => {
      rule = r;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
