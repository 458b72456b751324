import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuildError, isErrno } from '../../errors';
import type { Mount as RunMount } from '../../dockerfile/instructions/types';
import type { SpecMount } from '../../convert/runtime-spec/types';
import type { BuildOptions } from '../types';

/** BuildKit's cap on a secret's size (secretsprovider.MaxSecretSize). */
const MAX_SECRET_BYTES = 500 * 1024;

/** The secret's id as BuildKit's dispatchSecret finds it: source=, else id=, else the target's base name. */
export function secretIdOf(m: RunMount): string {
  return m.source || m.id || path.posix.basename(m.target ?? '');
}

/** Where the secret file goes: target=, else /run/secrets/<id> unless the secret is only an env= variable. */
export function secretTargetOf(m: RunMount): string | undefined {
  if (m.target) return m.target;
  return m.env === undefined ? `/run/secrets/${path.posix.basename(secretIdOf(m))}` : undefined;
}

/** The secret's value (read now, never kept), or undefined when the build was given no secret of that id. */
async function readSecret(options: BuildOptions, id: string): Promise<Buffer | undefined> {
  const src = options.secrets?.[id];
  if (src === undefined) return undefined;
  if (typeof src === 'object' && 'env' in src) return Buffer.from((options.env ?? process.env)[src.env] ?? '', 'utf8');
  const file = typeof src === 'string' ? src : src.file;
  const fh = await fs.open(file, 'r');
  try {
    if ((await fh.stat()).size > MAX_SECRET_BYTES) throw new BuildError('BUILD_INSTRUCTION_INVALID', `secret ${id} too big. max size 500kB`, { id });
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** A private directory on a tmpfs (/dev/shm) when there is one, so a secret's bytes never reach a disk. */
export async function secretDir(): Promise<string> {
  let base = '/dev/shm';
  try {
    await fs.access(base, fs.constants.W_OK);
  } catch (err) {
    if (!isErrno(err, 'ENOENT', 'EACCES', 'EROFS')) throw err;
    base = os.tmpdir();
  }
  const dir = await fs.mkdtemp(path.join(base, 'hoist-secret-'));
  await fs.chmod(dir, 0o711);
  return dir;
}

/**
 * `RUN --mount=type=secret`: the secret as a read-only file (mode 0400, root,
 * unless mode/uid/gid say otherwise) written in `dir` and bound at the target,
 * and/or as `env=` variable. A secret the build was not given is skipped, or
 * with `required` is BuildKit's `secret ID: not found`; an optional env=
 * secret is set empty, as BuildKit does.
 */
export async function mountSecret(options: BuildOptions, m: RunMount, dest: string | undefined, dir: string, index: number): Promise<{ mounts: SpecMount[]; env: string[] }> {
  const id = secretIdOf(m);
  const value = await readSecret(options, id);
  if (value === undefined) {
    if (m.required) throw new BuildError('BUILD_SECRET_NOT_FOUND', `secret ${id}: not found`, { id });
    return { mounts: [], env: m.env !== undefined ? [`${m.env}=`] : [] };
  }
  const out = { mounts: [] as SpecMount[], env: m.env !== undefined ? [`${m.env}=${value.toString('utf8')}`] : [] };
  if (dest !== undefined) {
    const mode = (m.mode ?? 0o400) & 0o7777;
    const file = path.join(dir, `secret-${index}`);
    await fs.writeFile(file, value, { mode: 0o600 });
    await fs.chown(file, m.uid ?? 0, m.gid ?? 0);
    await fs.chmod(file, mode);
    const options = ['rbind', 'ro', 'nosuid', 'nodev', ...((mode & 0o111) === 0 ? ['noexec'] : [])];
    out.mounts.push({ destination: dest, type: 'bind', source: file, options });
  }
  return out;
}
