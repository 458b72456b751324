import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeNodeImage } from '../../../fixtures/node/make-node-image';
import { runHoist, type RunResult } from '../../helpers/hoist-cli';
import { runProcess } from '../../../src/sys/run-process';
import { REPO_ROOT } from '../../helpers/paths';
import { tmpDir } from '../../helpers/tmp';

export const NODE_BASE = 'hoist-test/node:20-slim';

/** The node base with the host's C toolchain (as node:20, not -slim, has build tools) */
export const NODE_BUILD_BASE = 'hoist-test/node:20';

const archives = new Map<string, Promise<string>>();

/**
 * The node base (busybox + this machine's node and npm; with `toolchain`, the
 * host's gcc, make and python3 too), made once per process and loaded into the
 * store at `root`.
 */
export async function loadNodeBase(root: string, toolchain = false): Promise<void> {
  const tag = toolchain ? NODE_BUILD_BASE : NODE_BASE;
  let archive = archives.get(tag);
  if (archive === undefined) {
    archive = (async () => {
      const file = path.join(tmpDir('hoist-node-base-'), 'node.tar');
      await makeNodeImage(file, tag, { npm: true, toolchain });
      return file;
    })();
    archives.set(tag, archive);
  }
  const r = await runHoist(['load', '-i', await archive], { root });
  if (r.code !== 0) throw new Error(`hoist load failed: ${r.stderr}`);
}

/** A copy of fixtures/node/NAME in a temp dir (tests edit it). */
export function copyFixture(name: string): string {
  const dir = path.join(tmpDir('hoist-pack-project-'), name);
  fs.cpSync(path.join(REPO_ROOT, 'fixtures', 'node', name), dir, { recursive: true });
  return dir;
}

/** `hoist pack ARGS` that must succeed. */
export async function packOk(root: string, args: string[], env?: NodeJS.ProcessEnv): Promise<RunResult> {
  const r = await runHoist(['pack', ...args], { root, ...(env ? { env } : {}) });
  if (r.code !== 0) throw new Error(`hoist pack ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r;
}

export interface Inspected {
  Id: string;
  RootFS: { Layers: string[] };
  Config: { Entrypoint: string[]; User: string; WorkingDir: string; Env: string[]; Labels: Record<string, string> };
}

export async function inspect(root: string, ref: string): Promise<Inspected> {
  const r = await runHoist(['inspect', ref], { root });
  if (r.code !== 0) throw new Error(r.stderr);
  return (JSON.parse(r.stdout) as Inspected[])[0]!;
}

/** The layer lines `hoist pack` prints: name -> compressed digest. */
export function packedLayers(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(.+?)\s+(sha256:[0-9a-f]{64}) \d+/.exec(line);
    if (m) out.set(m[1]!.trim(), m[2]!);
  }
  return out;
}

/** A listing of /app/node_modules in an image: path, type, size and sha256 of each file (node runs in the image). */
export async function listNodeModules(root: string, ref: string): Promise<string> {
  const script = `
const fs = require('fs'), path = require('path'), crypto = require('crypto');
const out = [];
const walk = (d) => { for (const n of fs.readdirSync(d).sort()) { const p = path.join(d, n); const st = fs.lstatSync(p);
  if (st.isDirectory()) { out.push(p + '/'); walk(p); }
  else if (st.isSymbolicLink()) out.push(p + ' -> ' + fs.readlinkSync(p));
  else out.push(p + ' ' + st.size + ' ' + crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')); } };
walk('/app/node_modules');
console.log(out.join('\\n'));`;
  const r = await runHoist(['run', '--rm', '--entrypoint', 'node', ref, '-e', script], { root });
  if (r.code !== 0) throw new Error(`listing node_modules of ${ref} failed: ${r.stderr}`);
  return r.stdout;
}

/** Tags in the store (none may appear after a failed pack). */
export async function tagsOf(root: string): Promise<string[]> {
  const r = await runHoist(['images', '--format', 'json'], { root });
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { repository: string; tag: string })
    .map((i) => `${i.repository}:${i.tag}`);
}

/** Why the npm registry cannot be reached from here (npm view of a small package), or undefined. */
export async function npmRegistryUnreachable(): Promise<string | undefined> {
  const r = await runProcess(['npm', 'view', 'ms@2.1.3', 'version'], { signal: AbortSignal.timeout(30_000) }).catch((err: Error) => ({ code: -1, stdout: '', stderr: err.message }));
  return r.code === 0 && r.stdout.trim() === '2.1.3' ? undefined : `needs the npm registry (npm view failed: ${r.stderr.trim().split('\n').pop() ?? ''})`;
}

/**
 * Lines for a Dockerfile whose RUN reaches the npm registry: this machine's
 * extra CA bundle (NODE_EXTRA_CA_CERTS, a TLS-intercepting proxy's) copied
 * into the context and named for node in the image; none without one.
 */
export function extraCaLines(ctx: string): string {
  const ca = process.env.NODE_EXTRA_CA_CERTS;
  if (ca === undefined || !fs.existsSync(ca)) return '';
  fs.copyFileSync(ca, path.join(ctx, '.extra-ca.crt'));
  return 'COPY .extra-ca.crt /etc/ssl/extra-ca.crt\nENV NODE_EXTRA_CA_CERTS=/etc/ssl/extra-ca.crt\n';
}

export interface Repacked {
  /** layer name -> digest, before and after the edit */
  before: Map<string, string>;
  after: Map<string, string>;
  /** the second pack's output (its push line, its build steps) */
  second: RunResult;
}

/** Pack and push `ref`, apply `edit` to the project, pack and push again. */
export async function repackAfterEdit(root: string, project: string, ref: string, base: string, edit: () => void): Promise<Repacked> {
  const first = await packOk(root, [project, '-t', ref, '--base', base, '--push']);
  edit();
  const second = await packOk(root, [project, '-t', ref, '--base', base, '--push']);
  return { before: packedLayers(first.stdout), after: packedLayers(second.stdout), second };
}

/** Replace `from` by `to` in a project file. */
export function editFile(file: string, from: string, to: string): void {
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to));
}
