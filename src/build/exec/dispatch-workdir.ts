import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { resolveInRoot } from '../../convert/read-in-root';
import { resolveUser } from '../../convert/user/resolve-user';
import { isErrno } from '../../errors';
import type { WorkdirInstruction } from '../../dockerfile/instructions/instruction';
import type { ExecContext } from './exec-context';
import { addHistory } from './dispatch-meta';
import { runLayerStep } from './layer-step';
import type { StageState } from './stage-state';

/** BuildKit's NormalizeWorkdir: a relative path joins the current one; always absolute and clean. */
export function normalizeWorkdir(current: string | undefined, next: string): string {
  return path.posix.resolve('/', current || '/', next);
}

/** `mkdir -p` inside a rootfs (symlinks resolved in it), new directories 0755, owned by `owner`, dated `mtime` (seconds) when given. */
export async function mkdirInRoot(rootfs: string, dir: string, owner: { uid: number; gid: number }, mtime?: number): Promise<void> {
  const target = resolveInRoot(rootfs, dir);
  const missing: string[] = [];
  for (let p = target; p !== rootfs && p.length > rootfs.length; p = path.dirname(p)) {
    try {
      await fs.lstat(p);
      break;
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      missing.unshift(p);
    }
  }
  for (const p of missing) {
    await fs.mkdir(p, { mode: 0o755 });
    await fs.chmod(p, 0o755);
    await fs.lchown(p, owner.uid, owner.gid);
  }
  // deepest first: making a child would move its parent's mtime again
  if (mtime !== undefined) for (const p of missing.reverse()) await fs.utimes(p, mtime, mtime);
}

/**
 * WORKDIR: the config's WorkingDir, and (BuildKit's mkdir step) the directory
 * created as the current USER when it is missing: a layer, or none when it
 * already exists. With SOURCE_DATE_EPOCH the directories made are dated it.
 */
export async function dispatchWorkdir(ctx: ExecContext, st: StageState, ins: WorkdirInstruction, noCache: boolean): Promise<boolean> {
  const wd = normalizeWorkdir(st.config.config.WorkingDir, ins.path);
  st.config.config.WorkingDir = wd;
  if (wd === '/') {
    addHistory(st, `WORKDIR ${wd}`, false);
    return false;
  }
  const user = st.config.config.User || undefined;
  const cached = await runLayerStep(ctx, st, {
    createdBy: `WORKDIR ${wd}`,
    // SOURCE_DATE_EPOCH dates the directories it makes (BuildKit's mkdir WithCreatedTime), and so is part of the step
    key: { op: 'mkdir', path: wd, user, ...(ctx.sourceDateEpoch !== undefined ? { created: ctx.sourceDateEpoch } : {}) },
    noCache,
    change: async (rootfs) => {
      const u = resolveUser(rootfs, user);
      await mkdirInRoot(rootfs, wd, { uid: u.uid, gid: u.gid }, ctx.sourceDateEpoch);
    },
  });
  return cached;
}
