// A private dockerd for the docker peer cases: its own socket, data root and exec root, detached
// from our stdio (its output goes to a log file), stopped when the run ends.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execCommand, tailLines } from './exec-command';
import { isAlive, processTree } from './process-tree';

export const DOCKER_CLIENT = '/usr/bin/docker';
export const DOCKERD = '/usr/sbin/dockerd';

/**
 * The daemon's socket, exec root and pidfile, named after the work dir: two benches with
 * different `HOIST_BENCH_DIR`s (two engineers on one machine) never adopt or stop each other's
 * daemon, nor share a data root.
 */
export function daemonPaths(workDir: string): { socket: string; execRoot: string; pidfile: string } {
  const id = createHash('sha256').update(resolve(workDir)).digest('hex').slice(0, 8);
  const base = `/var/run/hoist-bench-docker-${id}`;
  return { socket: `${base}.sock`, execRoot: `${base}-exec`, pidfile: `${base}.pid` };
}

export interface DockerDaemon {
  /** `/usr/bin/docker -H unix:///var/run/hoist-bench-docker.sock` */
  clientArgv: string[];
  /** dockerd and its children (containerd), for RSS sampling. */
  pids(): number[];
  /** `Server Version` as the daemon reports it. */
  serverVersion: string;
  stop(): Promise<void>;
}

function readPid(pidfile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function answers(clientArgv: string[]): Promise<string | undefined> {
  try {
    const out = await execCommand({ argv: [...clientArgv, 'info', '--format', '{{.ServerVersion}}'] }, { timeoutMs: 10_000 });
    return out.trim() || undefined;
  } catch {
    return undefined; // not up (yet): the caller polls
  }
}

async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 200) await sleep(200);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/**
 * Starts dockerd (or adopts one a crashed earlier run left on our socket) and waits until
 * `docker info` answers. Rejects with the tail of the daemon's log when it does not come up.
 */
export async function startDockerDaemon(opts: { workDir: string; log(m: string): void }): Promise<DockerDaemon> {
  const { socket, execRoot, pidfile } = daemonPaths(opts.workDir);
  const clientArgv = [DOCKER_CLIENT, '-H', `unix://${socket}`];
  const logFile = join(opts.workDir, 'dockerd.log');
  let serverVersion = await answers(clientArgv);
  if (serverVersion) {
    opts.log(`docker: adopting the daemon already on ${socket}`);
  } else {
    const dataRoot = join(opts.workDir, 'docker');
    mkdirSync(dataRoot, { recursive: true });
    const fd = openSync(logFile, 'a');
    const child = spawn(DOCKERD, [
      '--iptables=false', '--bridge=none', '-H', `unix://${socket}`,
      '--data-root', dataRoot, '--exec-root', execRoot, '--pidfile', pidfile,
    ], { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    let exited = false;
    child.once('exit', () => { exited = true; });
    child.once('error', () => { exited = true; });
    child.unref();
    opts.log(`docker: started dockerd (pid ${child.pid}), log ${logFile}`);
    for (let waited = 0; !serverVersion && !exited && waited < 60_000; waited += 250) {
      await sleep(250);
      serverVersion = await answers(clientArgv);
    }
    if (!serverVersion) {
      if (child.pid && !exited) await stopPid(child.pid);
      const log = tailLines(readFileSync(logFile, 'utf8'), 3);
      throw new Error(`dockerd did not answer on ${socket}: ${log}`);
    }
  }
  return {
    clientArgv,
    serverVersion,
    pids: () => {
      const pid = readPid(pidfile);
      return pid === undefined ? [] : processTree([pid]);
    },
    stop: async () => {
      const pid = readPid(pidfile);
      if (pid !== undefined) await stopPid(pid);
    },
  };
}
