import * as fs from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { busyboxLayer, makeDockerArchive, type FileSpec } from '../../fixtures/images/make-busybox-image';
import { deleteContainer, run } from '../../src/runtime';
import { isOverlaySupported, unmountAt } from '../../src/snapshot/mount';
import { hasCommand, isRoot } from './capabilities';
import { runHoist } from './hoist-cli';
import { tmpDir } from './tmp';

/** Why runc bundles cannot run here, or undefined when they can (root, runc, overlayfs). */
export async function runtimeUnavailable(): Promise<string | undefined> {
  if (!isRoot()) return 'needs root to run runc and mount overlays';
  if (!hasCommand('runc')) return 'needs runc (Debian package runc)';
  if (!(await isOverlaySupported())) return 'needs overlayfs';
  return undefined;
}

/** Load a busybox image (busybox layer + `extra` files) with `config` into the store at `root` as `tag`. */
export async function loadBusybox(root: string, tag: string, config: Record<string, unknown> = {}, layers?: FileSpec[][]): Promise<void> {
  const archive = path.join(tmpDir(), 'image.tar');
  await makeDockerArchive(archive, { tags: [tag], layers: layers ?? [busyboxLayer()], config });
  const r = await runHoist(['load', '-i', archive], { root });
  if (r.code !== 0) throw new Error(`hoist load failed: ${r.stderr}`);
}

/** Mount points in /proc/self/mountinfo at or under `dir`. */
export function mountsUnder(dir: string): string[] {
  const info = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)));
}

/** Containers and bundles a test made, removed in afterEach even when the test failed. */
export class RuntimeJanitor {
  private ids: string[] = [];
  private bundles: string[] = [];

  track(id: string): string {
    this.ids.push(id);
    return id;
  }

  lastId(): string {
    return this.ids[this.ids.length - 1] ?? '';
  }

  bundle(dir: string): string {
    this.bundles.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    for (const id of this.ids.splice(0)) await deleteContainer(id, { force: true }).catch(() => undefined);
    for (const b of this.bundles.splice(0)) await unmountAt(path.join(b, 'rootfs')).catch(() => undefined);
  }
}

let counter = 0;

/** `runc run` a bundle with our runtime client; resolves to its status and output. */
export async function runBundle(janitor: RuntimeJanitor, bundle: string): Promise<{ status: number; stdout: string; stderr: string }> {
  const id = janitor.track(`hoist-test-${process.pid}-${++counter}`);
  let stdout = '';
  let stderr = '';
  const sink = (add: (s: string) => void) => new Writable({ write: (c: Buffer, _e, cb) => (add(c.toString()), cb()) });
  const { status } = await run(id, { bundle }, { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) });
  return { status, stdout, stderr };
}
