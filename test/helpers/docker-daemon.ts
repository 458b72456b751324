import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { hasCommand, isRoot } from './capabilities';
import { tmpDir } from './tmp';

const pexec = promisify(execFile);
/** Debian's docker CLI (20.10); the `docker` on PATH may be another one. */
export const DOCKER_CLI = '/usr/bin/docker';

export interface DockerOptions {
  input?: Buffer;
  cwd?: string;
  /** added to the environment (e.g. DOCKER_BUILDKIT: '0' for the classic builder) */
  env?: NodeJS.ProcessEnv;
}

/** A private dockerd (the one way tests start one). */
export interface DockerDaemon {
  socket: string;
  /** `/usr/bin/docker -H <socket> ARGS`; rejects with its stderr on a non-zero exit */
  docker(args: string[], options?: DockerOptions): Promise<{ stdout: string; stderr: string }>;
  /** stops the daemon, unmounts what it left (netns, overlay) and removes its directory */
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
  const docker = async (args: string[], options: DockerOptions = {}): Promise<{ stdout: string; stderr: string }> => {
    const env = { ...process.env, ...options.env };
    const cwd = options.cwd ?? process.cwd();
    if (options.input !== undefined) {
      const r = spawnSync(DOCKER_CLI, ['-H', `unix://${socket}`, ...args], { input: options.input, maxBuffer: 64 << 20, env, cwd });
      if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr.toString()}`);
      return { stdout: r.stdout.toString(), stderr: r.stderr.toString() };
    }
    try {
      return await pexec(DOCKER_CLI, ['-H', `unix://${socket}`, ...args], { maxBuffer: 64 << 20, env, cwd, timeout: 170_000 });
    } catch (err) {
      throw new Error(`docker ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
    }
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
      // unmount anything dockerd left, deepest first, then remove its directory
      const mounts = fs
        .readFileSync('/proc/self/mounts', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[1] ?? '')
        .filter((m) => m.startsWith(`${dir}/`))
        .reverse();
      for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
