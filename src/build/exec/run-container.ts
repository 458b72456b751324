import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { BuildError, isErrno } from '../../errors';
import { resolveInRoot } from '../../convert/read-in-root';
import { resolveUser } from '../../convert/user/resolve-user';
import { toRuntimeSpec } from '../../convert/runtime-spec/to-runtime-spec';
import type { SpecMount } from '../../convert/runtime-spec/types';
import { capabilitiesIn, withPrivileged } from '../../convert/runtime-spec/spec-opts-privileged';
import { run } from '../../runtime/run';
import { goQuote } from './go-format';

export const BUILD_HOSTNAME = 'buildkitsandbox';

export interface RunInRootfsOptions {
  args: string[];
  env: string[];
  cwd: string;
  /** the image's USER (`name`, `uid`, `name:group`, ...), resolved in the rootfs */
  user?: string;
  network: 'host' | 'none';
  /** RUN --security=insecure: every capability, no masked paths, all devices (the caller checked the entitlement) */
  privileged?: boolean;
  signal?: AbortSignal;
  /** more mounts (RUN --mount), their targets made and removed again if the image lacks them */
  mounts?: SpecMount[];
  /** where the command's output goes as it comes (e.g. `stepLogStream`) */
  stdout?: Writable;
  stderr?: Writable;
}

/** Keeps the last lines of both streams for the error message, passing each chunk on to `sink`. */
class OutputTail {
  private readonly lines: string[] = [];
  tap(sink: Writable | undefined): Writable {
    return new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
        if (this.lines.length > 40) this.lines.splice(0, this.lines.length - 40);
        if (sink === undefined) cb();
        else sink.write(chunk, () => cb());
      },
    });
  }
  last(n: number): string[] {
    return this.lines.slice(-n);
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return false;
    throw err;
  }
}

/** This process's capability bounding set (what a privileged RUN can have; runc fails on more). */
async function boundingCapabilities(): Promise<bigint> {
  const status = await fs.readFile('/proc/self/status', 'utf8');
  return BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
}

/**
 * File mount targets runc creates when the image lacks them are stubs, not the
 * command's work: Docker 20.10's BuildKit removes each one that is still an
 * empty file, and keeps the directories runc made (they are in its layers).
 */
async function removeStubs(created: string[]): Promise<void> {
  for (const p of [...created].reverse()) {
    const st = await fs.lstat(p).catch(() => undefined);
    if (st?.isFile() && st.size === 0) await fs.rm(p, { force: true });
  }
}

/**
 * RUN: the command as a runc container on `rootfs` (a mounted, writable
 * snapshot). The spec comes from convert's `toRuntimeSpec` (docker's defaults);
 * /etc/hosts and /etc/resolv.conf are bound from files outside the rootfs, as
 * BuildKit does, so they never enter the layer. A non-zero exit is
 * BUILD_RUN_FAILED with the exit code and the last lines of output.
 */
export async function runInRootfs(rootfs: string, options: RunInRootfsOptions): Promise<void> {
  const bundle = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-run-'));
  try {
    const stubs: string[] = [];
    const targets = ['/etc/hosts', '/etc/resolv.conf', ...(options.mounts ?? []).map((m) => m.destination)];
    for (const t of targets) {
      // the target and each missing directory above it
      const parts = t.split('/').filter((c) => c !== '');
      for (let i = 1; i <= parts.length; i++) {
        const p = resolveInRoot(rootfs, `/${parts.slice(0, i).join('/')}`);
        if (!stubs.includes(p) && !(await exists(p))) stubs.push(p);
      }
    }
    await fs.writeFile(path.join(bundle, 'hosts'), `127.0.0.1\tlocalhost ${BUILD_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`);
    await fs.writeFile(path.join(bundle, 'resolv.conf'), await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
    const user = resolveUser(rootfs, options.user);
    const spec = toRuntimeSpec(
      { architecture: '', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: options.env, WorkingDir: options.cwd } },
      {
        entrypoint: options.args,
        cmd: [],
        user,
        cwd: options.cwd,
        hostname: BUILD_HOSTNAME,
        network: options.network,
        etcFiles: { hosts: path.join(bundle, 'hosts'), resolvConf: path.join(bundle, 'resolv.conf') },
        ...(options.privileged ? { extra: [withPrivileged(capabilitiesIn(await boundingCapabilities()))] } : {}),
      },
    );
    spec.root = { path: rootfs };
    spec.mounts.push(...(options.mounts ?? []));
    await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const tail = new OutputTail();
    const id = `hoist-build-${randomBytes(6).toString('hex')}`;
    const res = await run(id, { bundle }, { stdin: 'ignore', stdout: tail.tap(options.stdout), stderr: tail.tap(options.stderr), ...(options.signal ? { signal: options.signal } : {}) });
    await removeStubs(stubs);
    if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted');
    if (res.status !== 0) {
      const last = tail.last(20);
      throw new BuildError(
        'BUILD_RUN_FAILED',
        `process ${goQuote(options.args.join(' '))} did not complete successfully: exit code: ${res.status}${last.length > 0 ? `\n${last.join('\n')}` : ''}`,
        { exitCode: res.status, args: options.args },
      );
    }
  } finally {
    await fs.rm(bundle, { recursive: true, force: true });
  }
}
