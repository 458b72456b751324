// A private dockerd for the docker peer cases: its own socket, data root and exec root, detached
// from our stdio (its output goes to a log file), stopped when the run ends.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execCommand, tailLines } from './exec-command';
import { isAlive, processTree } from './process-tree';

export const DOCKER_CLIENT = '/usr/bin/docker';
export const DOCKERD = '/usr/sbin/dockerd';
const SOCKET = '/var/run/hoist-bench-docker.sock';
const EXEC_ROOT = '/var/run/hoist-bench-docker-exec';
const PIDFILE = '/var/run/hoist-bench-docker.pid';

export interface DockerDaemon {
  /** `/usr/bin/docker -H unix:///var/run/hoist-bench-docker.sock` */
  clientArgv: string[];
  /** dockerd and its children (containerd), for RSS sampling. */
  pids(): number[];
  /** `Server Version` as the daemon reports it. */
  serverVersion: string;
  stop(): Promise<void>;
}

function readPid(): number | undefined {
  try {
    const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
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
  const clientArgv = [DOCKER_CLIENT, '-H', `unix://${SOCKET}`];
  const logFile = join(opts.workDir, 'dockerd.log');
  let serverVersion = await answers(clientArgv);
  if (serverVersion) {
    opts.log(`docker: adopting the daemon already on ${SOCKET}`);
  } else {
    const dataRoot = join(opts.workDir, 'docker');
    mkdirSync(dataRoot, { recursive: true });
    const fd = openSync(logFile, 'a');
    const child = spawn(DOCKERD, [
      '--iptables=false', '--bridge=none', '-H', `unix://${SOCKET}`,
      '--data-root', dataRoot, '--exec-root', EXEC_ROOT, '--pidfile', PIDFILE,
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
      throw new Error(`dockerd did not answer on ${SOCKET}: ${log}`);
    }
  }
  return {
    clientArgv,
    serverVersion,
    pids: () => {
      const pid = readPid();
      return pid === undefined ? [] : processTree([pid]);
    },
    stop: async () => {
      const pid = readPid();
      if (pid !== undefined) await stopPid(pid);
    },
  };
}
