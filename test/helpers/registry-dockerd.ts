import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { stopPid } from './registry-server';

const DOCKERD = '/usr/sbin/dockerd';
export const DOCKER = '/usr/bin/docker';
const SOCK = '/tmp/hoist-reg-docker.sock';
const DATA = '/tmp/hoist-reg-docker';
const EXEC = '/tmp/hoist-reg-exec';
const PIDFILE = '/tmp/hoist-reg-docker.pid';
const LOG = '/tmp/hoist-reg-dockerd.log';

const pexec = promisify(execFile);

/** A dockerd of our own (not the machine's), detached, stopped by `stop()`. */
export interface Dockerd {
  docker(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Start dockerd, or return the reason it cannot run here. */
export async function startDockerd(): Promise<Dockerd | string> {
  if (!fs.existsSync(DOCKERD) || !fs.existsSync(DOCKER)) return 'dockerd or /usr/bin/docker is not installed';
  if (process.getuid?.() !== 0) return 'dockerd needs root';
  if (fs.existsSync(PIDFILE)) {
    const old = Number(fs.readFileSync(PIDFILE, 'utf8'));
    if (old > 0) await stopPid(old);
    fs.rmSync(PIDFILE, { force: true });
  }
  const fd = fs.openSync(LOG, 'w');
  const child = spawn(
    DOCKERD,
    ['--iptables=false', '--bridge=none', '-H', `unix://${SOCK}`, '--data-root', DATA, '--exec-root', EXEC, '--pidfile', PIDFILE],
    { detached: true, stdio: ['ignore', fd, fd] },
  );
  fs.closeSync(fd);
  child.unref();
  const docker = async (args: string[]) => (await pexec(DOCKER, ['-H', `unix://${SOCK}`, ...args], { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 })).stdout;
  const stop = async () => {
    await stopPid(child.pid!, () => child.exitCode !== null || child.signalCode !== null);
    fs.rmSync(SOCK, { force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return `dockerd exited (${child.exitCode}): ${fs.readFileSync(LOG, 'utf8').split('\n').slice(-3).join(' ')}`;
    try {
      await docker(['version', '--format', '{{.Server.Version}}']);
      return { docker, stop };
    } catch {
      await sleep(300);
    }
  }
  await stop();
  return `dockerd did not answer within 30 s: ${fs.readFileSync(LOG, 'utf8').split('\n').slice(-3).join(' ')}`;
}
