import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, mkTemp, stopPid, waitListening } from './registry-server';

export const TINYPROXY_BIN = '/usr/bin/tinyproxy';

/** Debian's tinyproxy on 127.0.0.1:<free port> (loopback clients only), logging every request. */
export interface HttpProxyServer {
  url: string;
  /** the absolute-form request lines it forwarded: `GET http://host:port/v2/ HTTP/1.1` */
  requests(): string[];
  stop(): Promise<void>;
}

export function hasTinyproxy(): boolean {
  return fs.existsSync(TINYPROXY_BIN);
}

export async function startHttpProxy(): Promise<HttpProxyServer> {
  const dir = mkTemp('tinyproxy');
  const port = await freePort();
  const logFile = path.join(dir, 'tinyproxy.log');
  const conf = path.join(dir, 'tinyproxy.conf');
  fs.writeFileSync(
    conf,
    [`Port ${port}`, 'Listen 127.0.0.1', 'Timeout 60', `LogFile "${logFile}"`, 'LogLevel Connect', 'MaxClients 50', 'Allow 127.0.0.1', 'DisableViaHeader Yes', ''].join('\n'),
  );
  const out = fs.openSync(path.join(dir, 'stdout.log'), 'a');
  const child = spawn(TINYPROXY_BIN, ['-d', '-c', conf], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  child.unref();
  await waitListening(port, child, path.join(dir, 'stdout.log'), 'tinyproxy', 10_000).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      return [...log.matchAll(/Request \(file descriptor \d+\): (.+)$/gm)].map((m) => m[1]!.trim());
    },
    stop: async () => {
      await stopPid(child.pid!, () => child.exitCode !== null || child.signalCode !== null);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
