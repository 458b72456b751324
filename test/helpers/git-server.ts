import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { tmpDir } from './tmp';

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'hoist test',
  GIT_AUTHOR_EMAIL: 'test@hoist.invalid',
  GIT_COMMITTER_NAME: 'hoist test',
  GIT_COMMITTER_EMAIL: 'test@hoist.invalid',
  GIT_AUTHOR_DATE: '2001-02-03T04:05:06Z',
  GIT_COMMITTER_DATE: '2001-02-03T04:05:06Z',
};

/** Run git with a fixed identity and dates, no user or system config; returns stdout trimmed. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A work repository (branch main) and its bare clone `<base>/<name>` that the servers export. */
export class TestRepo {
  readonly work = tmpDir('hoist-git-work-');
  readonly bare: string;

  constructor(
    readonly base = tmpDir('hoist-git-srv-'),
    name = 'repo.git',
  ) {
    this.bare = path.join(base, name);
    git(this.work, 'init', '-q', '-b', 'main');
  }

  /** Write files (`{path: content}`, a `mode` per path optional), commit, push to the bare repo; returns the commit. */
  commit(files: Record<string, string>, message: string, modes: Record<string, number> = {}): string {
    for (const [p, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(this.work, p)), { recursive: true });
      fs.writeFileSync(path.join(this.work, p), content);
      if (modes[p] !== undefined) fs.chmodSync(path.join(this.work, p), modes[p]!);
    }
    git(this.work, 'add', '-A');
    git(this.work, 'commit', '-q', '-m', message);
    this.push();
    return git(this.work, 'rev-parse', 'HEAD');
  }

  push(): void {
    if (!fs.existsSync(this.bare)) git(this.base, 'clone', '-q', '--bare', this.work, this.bare);
    else git(this.work, 'push', '-q', '--force', '--tags', this.bare, 'main');
  }
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** Wait (up to 5 s) until something accepts connections on 127.0.0.1:<port>. */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.end(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `git daemon` exporting `base` on 127.0.0.1:<port> (git://); stop() kills it. */
export async function startGitDaemon(base: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn('git', ['daemon', '--reuseaddr', '--export-all', '--informative-errors', `--base-path=${base}`, '--listen=127.0.0.1', `--port=${port}`, base], {
    stdio: 'ignore',
    env: GIT_ENV,
  });
  await waitForPort(port);
  return { url: `git://127.0.0.1:${port}`, stop: () => void child.kill() };
}

/** `git http-backend` (smart HTTP) behind a node server on 127.0.0.1; also serves `files` as plain downloads. */
export class GitHttpServer {
  private server: http.Server | undefined;
  url = '';
  /** upload-pack requests that asked for objects (`command=fetch`), i.e. clones/fetches, not ls-remote */
  fetches = 0;

  constructor(
    private readonly base: string,
    private readonly files: Record<string, Buffer> = {},
  ) {}

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const file = this.files[u.pathname];
    if (file !== undefined) {
      res.writeHead(200, { 'Content-Length': file.length });
      res.end(file);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      if (/command=fetch|[0-9a-f]{4}want [0-9a-f]{40}/.test(body.toString('latin1'))) this.fetches++;
      const cgi = spawn('git', ['http-backend'], {
        env: {
          ...GIT_ENV,
          GIT_PROJECT_ROOT: this.base,
          GIT_HTTP_EXPORT_ALL: '1',
          PATH_INFO: u.pathname,
          QUERY_STRING: u.search.slice(1),
          REQUEST_METHOD: req.method ?? 'GET',
          CONTENT_TYPE: req.headers['content-type'] ?? '',
          CONTENT_LENGTH: String(body.length),
          GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
          REMOTE_ADDR: '127.0.0.1',
        },
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      const out: Buffer[] = [];
      cgi.stdout.on('data', (c: Buffer) => out.push(c));
      cgi.on('close', () => {
        const all = Buffer.concat(out);
        const split = all.indexOf('\r\n\r\n');
        const head = all.subarray(0, split).toString('latin1').split('\r\n');
        const headers: Record<string, string> = {};
        let status = 200;
        for (const h of head) {
          const i = h.indexOf(':');
          const k = h.slice(0, i).trim();
          const v = h.slice(i + 1).trim();
          if (k.toLowerCase() === 'status') status = parseInt(v, 10);
          else if (k !== '') headers[k] = v;
        }
        res.writeHead(status, headers);
        res.end(all.subarray(split + 4));
      });
      cgi.stdin.on('error', () => undefined); // http-backend may answer before it reads the body
      cgi.stdin.end(body);
    });
  }
}

/**
 * A private `sshd` on 127.0.0.1:<port> that lets `authorizedKey` in as root
 * (its own host key, config and pid file in a temp dir; no PAM, no strict
 * modes); stop() kills it. Undefined when openssh-server is not installed.
 */
export async function startSshd(authorizedKey: string): Promise<{ port: number; stop(): void } | undefined> {
  const sshd = '/usr/sbin/sshd';
  if (!fs.existsSync(sshd)) return undefined;
  const dir = tmpDir('hoist-sshd-');
  const port = await freePort();
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  fs.writeFileSync(path.join(dir, 'authorized_keys'), authorizedKey, { mode: 0o600 });
  const config = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'sshd_config'), `${config}\n`);
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege separation directory
  const child = spawn(sshd, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: 'ignore' });
  await waitForPort(port);
  return { port, stop: () => void child.kill() };
}
