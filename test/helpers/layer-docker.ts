import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCommand } from './layer-interop';

export const DOCKER_SOCK = '/tmp/hoist-test-docker.sock';
const DOCKER_CLI = fs.existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';

/** A private dockerd for one test file: detached, output to a log file, state in `dir`. */
export class TestDockerd {
  private pid: number | undefined;

  constructor(readonly dir: string) {}

  static available(): boolean {
    return hasCommand('dockerd') && process.getuid?.() === 0;
  }

  async start(): Promise<void> {
    const log = fs.openSync(path.join(this.dir, 'dockerd.log'), 'a');
    const args = ['--iptables=false', '--bridge=none', '-H', `unix://${DOCKER_SOCK}`, '--data-root', path.join(this.dir, 'data'), '--exec-root', path.join(this.dir, 'exec'), '--pidfile', path.join(this.dir, 'docker.pid')];
    const child = spawn('dockerd', args, { detached: true, stdio: ['ignore', log, log] });
    child.unref();
    this.pid = child.pid;
    fs.closeSync(log);
    for (let i = 0; i < 120; i++) {
      if (spawnSync(DOCKER_CLI, ['-H', `unix://${DOCKER_SOCK}`, 'version'], { stdio: 'ignore' }).status === 0) return;
      await sleep(250);
    }
    throw new Error(`dockerd did not start: ${fs.readFileSync(path.join(this.dir, 'dockerd.log'), 'utf8').slice(-2000)}`);
  }

  /** Runs the docker CLI against this daemon. */
  docker(args: string[], cwd?: string): string {
    const r = spawnSync(DOCKER_CLI, ['-H', `unix://${DOCKER_SOCK}`, ...args], { encoding: 'utf8', cwd, env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  }

  async stop(): Promise<void> {
    if (this.pid === undefined) return;
    try {
      process.kill(this.pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 80; i++) {
      try {
        process.kill(this.pid, 0);
      } catch {
        break;
      }
      await sleep(250);
    }
    this.pid = undefined;
  }

  /** Unmounts what dockerd left under its directories (netns, overlay) and removes them. */
  cleanup(): void {
    const mounts = fs
      .readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${this.dir}/`))
      .reverse();
    for (const m of mounts) spawnSync('umount', ['-l', m], { stdio: 'ignore' });
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
