import { createSign, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServerOptions {
  signingCert: string;
  signingKey: string;
  issuer: string;
  service: string;
  /** user -> password; anonymous requests get no access when set */
  users?: Record<string, string>;
  /** token lifetime in seconds (default 300) */
  expiresIn?: number;
}

export interface TokenRequestRecord {
  account?: string;
  scopes: string[];
  authenticated: boolean;
}

/** A small token server issuing real RS256 JWTs (x5c header), as the docker token spec describes. */
export interface TokenServer {
  realm: string;
  requests: TokenRequestRecord[];
  issued: number;
  stop(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function certDer(pem: string): string {
  return pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
}

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const key = fs.readFileSync(o.signingKey, 'utf8');
  const x5c = [certDer(fs.readFileSync(o.signingCert, 'utf8'))];
  const state: { requests: TokenRequestRecord[]; issued: number } = { requests: [], issued: 0 };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).filter((s) => s !== '');
    let account: string | undefined;
    let authenticated = false;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...rest] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      const p = rest.join(':');
      if (o.users?.[u!] !== undefined && o.users[u!] === p) {
        account = u;
        authenticated = true;
      } else {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        state.requests.push({ scopes, authenticated: false, ...(u ? { account: u } : {}) });
        return;
      }
    }
    state.requests.push({ scopes, authenticated, ...(account ? { account } : {}) });
    const allowed = o.users === undefined || authenticated;
    const access = allowed
      ? scopes.map((s) => {
          const parts = s.split(':');
          return { type: parts[0], name: parts.slice(1, -1).join(':'), actions: parts[parts.length - 1]!.split(',') };
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = o.expiresIn ?? 300;
    const header = { alg: 'RS256', typ: 'JWT', x5c };
    const claims = { iss: o.issuer, sub: account ?? '', aud: o.service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomBytes(12).toString('hex'), access };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(input).sign(key);
    const token = `${input}.${b64url(sig)}`;
    state.issued++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    get requests() {
      return state.requests;
    },
    get issued() {
      return state.issued;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
