import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BuildError } from '../../errors';
import { runProcess, startProcess } from '../../sys/run-process';
import type { BuildOptions } from '../types';

function sshError(id: string, message: string): BuildError {
  return new BuildError('BUILD_SSH_INVALID', `failed to convert agent config for ID: ${JSON.stringify(id)}: ${message}`, { id });
}

/** Run `ssh-add` quietly; its stderr is the error's text. */
async function sshAdd(socket: string, key: string): Promise<void> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', SSH_AUTH_SOCK: socket };
  const r = await runProcess(['ssh-add', '-q', key], { env, stdout: 'ignore' });
  if (r.code !== 0) throw new Error(`failed to parse ${key}: ${r.stderr.trim() || `ssh-add exited ${r.code ?? r.signal}`}`);
}

/**
 * The ssh agents a build forwards (`--ssh ID=…`), one upstream socket per id,
 * found on first use: `SSH_AUTH_SOCK` for an empty list, the socket given, or
 * for private key files a private `ssh-agent` holding them (BuildKit's
 * sshforward loads the keys into its own agent; `ssh-add` does it here).
 * `close` stops the agents it started.
 */
export class SshAgents {
  private readonly upstreams = new Map<string, Promise<string>>();
  private readonly agents: { child: ChildProcess; dir: string }[] = [];

  constructor(private readonly options: BuildOptions) {}

  has(id: string): boolean {
    return this.options.ssh !== undefined && Object.hasOwn(this.options.ssh, id);
  }

  /** The agent socket for `id` (which `has`). */
  socketFor(id: string): Promise<string> {
    let p = this.upstreams.get(id);
    if (p === undefined) this.upstreams.set(id, (p = this.resolve(id, this.options.ssh?.[id] ?? [])));
    return p;
  }

  private async resolve(id: string, paths: string[]): Promise<string> {
    if (paths.length === 0) {
      const sock = (this.options.env ?? process.env).SSH_AUTH_SOCK ?? '';
      if (sock === '') throw sshError(id, 'invalid empty ssh agent socket: make sure SSH_AUTH_SOCK is set');
      paths = [sock];
    }
    const kinds = await Promise.all(paths.map(async (p) => ((await fs.stat(p).catch(() => undefined))?.isSocket() ? 'socket' : 'key')));
    if (kinds.includes('socket')) {
      if (paths.length > 1) throw sshError(id, kinds.every((k) => k === 'socket') ? 'only single socket allowed' : 'invalid combination of keys and sockets');
      return paths[0]!;
    }
    for (const p of paths) await fs.access(p).catch((err: Error) => Promise.reject(sshError(id, err.message)));
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-ssh-'));
    const socket = path.join(dir, 'agent.sock');
    // ssh-agent under a shell that kills it when its stdin (a pipe from this process) ends: at close,
    // and also when hoist is killed (-9 included), so no agent holding the keys outlives the build
    const script = 'ssh-agent -D -a "$1" & a=$!; read -r _; kill "$a" 2>/dev/null; wait "$a"';
    const child = startProcess(['sh', '-c', script, 'sh', socket], { stdio: ['pipe', 'ignore', 'ignore'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    child.stdin?.on('error', () => undefined);
    this.agents.push({ child, dir });
    const failed = new Promise<never>((_, reject) => child.once('error', (err) => reject(sshError(id, `cannot start ssh-agent: ${err.message}`))));
    failed.catch(() => undefined);
    for (let i = 0; !(await fs.stat(socket).catch(() => undefined))?.isSocket(); i++) {
      if (i > 200 || child.exitCode !== null) throw sshError(id, 'ssh-agent did not start');
      await Promise.race([sleep(10), failed]);
    }
    for (const key of paths) await sshAdd(socket, key).catch((err: Error) => Promise.reject(sshError(id, err.message)));
    return socket;
  }

  async close(): Promise<void> {
    for (const { child, dir } of this.agents.splice(0)) {
      if (child.exitCode === null && child.pid !== undefined) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.stdin?.end();
        await Promise.race([gone, sleep(2000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}
