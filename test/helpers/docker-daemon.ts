import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { hasCommand, isRoot } from './capabilities';
import { tmpDir } from './tmp';

const pexec = promisify(execFile);
/** Debian's docker CLI (20.10); the `docker` on PATH may be another one. */
export const DOCKER_CLI = '/usr/bin/docker';

export interface DockerDaemon {
  socket: string;
  docker(args: string[], options?: { input?: Buffer }): Promise<{ stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Why dockerd cannot run here, or undefined when it can. */
export function dockerUnavailable(): string | undefined {
  if (!isRoot()) return 'needs root for dockerd';
  if (!hasCommand('dockerd') || !fs.existsSync(DOCKER_CLI)) return 'needs dockerd and /usr/bin/docker (Debian docker.io)';
  return undefined;
}

/** Start a private dockerd (own socket, data and exec roots), detached from our stdio. */
export async function startDockerd(): Promise<DockerDaemon> {
  const dir = tmpDir('hoist-dockerd-');
  const socket = path.join(dir, 'docker.sock');
  const log = fs.openSync(path.join(dir, 'dockerd.log'), 'a');
  const child = spawn(
    'dockerd',
    [
      '--iptables=false',
      '--bridge=none',
      '-H', `unix://${socket}`,
      '--data-root', path.join(dir, 'data'),
      '--exec-root', path.join(dir, 'exec'),
      '--pidfile', path.join(dir, 'docker.pid'),
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  fs.closeSync(log);
  const docker = async (args: string[], options: { input?: Buffer } = {}): Promise<{ stdout: string; stderr: string }> => {
    if (options.input !== undefined) {
      const r = spawnSync(DOCKER_CLI, ['-H', `unix://${socket}`, ...args], { input: options.input, maxBuffer: 64 << 20 });
      if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr.toString()}`);
      return { stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    }
    return pexec(DOCKER_CLI, ['-H', `unix://${socket}`, ...args], { maxBuffer: 64 << 20 });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await docker(['info', '--format', '{{.ServerVersion}}']);
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        throw new Error(`dockerd did not start: ${(err as Error).message}\n${fs.readFileSync(path.join(dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  return {
    socket,
    docker,
    stop: async () => {
      try {
        process.kill(child.pid!, 'SIGTERM');
      } catch {
        return;
      }
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        try {
          process.kill(child.pid!, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      // unmount anything dockerd left (its data root is removed with the temp dir)
      spawnSync('umount', ['-R', path.join(dir, 'exec')], { stdio: 'ignore' });
      spawnSync('umount', ['-R', path.join(dir, 'data')], { stdio: 'ignore' });
    },
  };
}
