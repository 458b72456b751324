import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { skipWith } from './capabilities';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryAuthConfig {
  htpasswd?: { file: string };
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface StartRegistryOptions {
  auth?: RegistryAuthConfig;
  tls?: { cert: string; key: string };
}

/** A docker-registry process started by a test (detached, output to a log file). */
export interface RegistryServer {
  host: string;
  port: number;
  dataDir: string;
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

export function hasRegistry(): boolean {
  return fs.existsSync(REGISTRY_BIN);
}

/** Skips the running test or suite, printing why, unless docker-registry is installed. */
export function requireRegistry(ctx: Mocha.Context): void {
  if (!hasRegistry()) skipWith(ctx, `needs docker-registry (${REGISTRY_BIN}, Debian package docker-registry)`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export function mkTemp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hoist-${prefix}-`));
}

function configYaml(dataDir: string, port: number, o: StartRegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: info',
    '  formatter: text',
    '  accesslog:',
    '    disabled: false',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${dataDir}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: hoist-test-secret',
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.cert}`, `    key: ${o.tls.key}`);
  if (o.auth?.htpasswd) lines.push('auth:', '  htpasswd:', '    realm: hoist-test', `    path: ${o.auth.htpasswd.file}`);
  if (o.auth?.token) {
    const t = o.auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.rootCertBundle}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Wait until a server we started (`name`, logging to `logFile`) accepts connections on 127.0.0.1:port. */
export async function waitListening(port: number, child: { exitCode: number | null }, logFile: string, name = 'docker-registry', timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.destroy();
        resolve(true);
      });
      sock.on('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(`${name} did not listen on ${port}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
}

/** Start Debian's docker-registry on 127.0.0.1:<free port> with a temp data dir. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RegistryServer> {
  const dir = mkTemp('registry');
  const dataDir = path.join(dir, 'data');
  fs.mkdirSync(dataDir);
  const port = await freePort();
  const cfg = path.join(dir, 'config.yml');
  fs.writeFileSync(cfg, configYaml(dataDir, port, options));
  const logFile = path.join(dir, 'registry.log');
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(REGISTRY_BIN, ['serve', cfg], { detached: true, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  child.unref();
  await waitListening(port, child, logFile).catch(async (err) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    host: `127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop: async () => {
      await stopPid(child.pid!, () => child.exitCode !== null || child.signalCode !== null);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, wait up to 5 s, then SIGKILL. */
export async function stopPid(pid: number, exited?: () => boolean): Promise<void> {
  const alive = () => {
    if (exited?.()) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(); i++) await sleep(50);
  if (alive()) process.kill(pid, 'SIGKILL');
}

/** bcrypt htpasswd file (the registry accepts bcrypt only). */
export function writeHtpasswd(file: string, user: string, password: string): void {
  const line = execFileSync('/usr/bin/htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
  fs.writeFileSync(file, line.trim() + '\n');
}
