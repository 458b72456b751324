import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive, type ImageSpec } from '../../fixtures/images/make-busybox-image';
import { hasCommand, isRoot, skipWith } from './capabilities';
import { runHoist, type RunResult } from './hoist-cli';
import { tmpDir } from './tmp';

/** Skip unless root with LXC installed (what lxc-execute / lxc-start need here). */
export function requireLxc(ctx: Mocha.Context): void {
  if (!isRoot()) skipWith(ctx, 'needs root (LXC containers are started by root here)');
  const missing = ['lxc-execute', 'lxc-start', 'lxc-attach', 'lxc-stop'].filter((c) => !hasCommand(c));
  if (missing.length > 0) skipWith(ctx, `needs ${missing.join(', ')} (Debian package lxc)`);
}

/**
 * Root's subordinate ids for unprivileged containers (newuidmap checks
 * /etc/subuid and /etc/subgid): adds `root:100000:65536` when missing.
 */
export function ensureRootSubids(): void {
  for (const f of ['/etc/subuid', '/etc/subgid']) {
    const text = fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
    if (!/^root:100000:65536$/m.test(text)) fs.appendFileSync(f, `${text === '' || text.endsWith('\n') ? '' : '\n'}root:100000:65536\n`);
  }
}

/** A temp lxcpath and store, unique container names, and cleanup of everything started. */
export class LxcSandbox {
  readonly lxcpath = tmpDir('hoist-lxcpath-');
  readonly root = tmpDir('hoist-lxc-store-');
  private readonly names = new Set<string>();
  private seq = 0;

  constructor() {
    // an unprivileged container's root (host uid 100000) must be able to reach its rootfs
    fs.chmodSync(this.lxcpath, 0o755);
  }

  name(prefix: string): string {
    const n = `${prefix}-${process.pid}-${++this.seq}`;
    this.names.add(n);
    return n;
  }

  async load(spec: ImageSpec): Promise<void> {
    const file = path.join(tmpDir(), 'image.tar');
    await makeDockerArchive(file, spec);
    const res = await this.hoist(['load', '-i', file]);
    if (res.code !== 0) throw new Error(`hoist load failed: ${res.stderr}`);
  }

  hoist(args: string[]): Promise<RunResult> {
    return runHoist(args, { root: this.root });
  }

  /** Run an lxc-* tool on this lxcpath (argv, never a shell). */
  lxc(tool: string, name: string, args: string[] = [], timeoutMs = 60000): { code: number | null; stdout: string; stderr: string } {
    const r = spawnSync(tool, ['-P', this.lxcpath, '-n', name, ...args], { encoding: 'utf8', timeout: timeoutMs, cwd: '/' });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Stop (kill) and remove every container this sandbox named. */
  cleanup(): void {
    for (const n of this.names) {
      if (!fs.existsSync(path.join(this.lxcpath, n))) continue;
      spawnSync('lxc-stop', ['-P', this.lxcpath, '-n', n, '-k'], { stdio: 'ignore', timeout: 20000 });
      fs.rmSync(path.join(this.lxcpath, n), { recursive: true, force: true });
    }
    this.names.clear();
  }
}
