import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError, isErrno } from '../../errors';
import { runProcess } from '../../sys';

/** The host ids an unprivileged container's root runs as (its id map's image of 0). */
export interface HostRoot {
  uid: number;
  gid: number;
}

// `cd` walks the whole path with the kernel's own permission check (mode bits and ACLs):
// print every directory the caller cannot reach.
const PROBE = 'for d do cd "$d" 2>/dev/null || printf "%s\\n" "$d"; done';

function shellWord(s: string): string {
  return /^[A-Za-z0-9_/.,:+=@%-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** `/`, `/a`, `/a/b`, … up to and including `dir` (absolute). */
function ancestors(dir: string): string[] {
  const out = ['/'];
  for (const part of dir.split('/').filter((p) => p !== '')) out.push(path.join(out[out.length - 1]!, part));
  return out;
}

async function existing(dirs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const d of dirs) {
    try {
      await fs.stat(d);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) break;
      throw err;
    }
    out.push(d);
  }
  return out;
}

/**
 * An unprivileged container starts as its mapped root (host `uid`, `gid`,
 * no supplementary groups), and LXC's first step is `access(lxcpath, X_OK)`:
 * if any directory down to the lxcpath is not searchable by that user,
 * lxc-start / lxc-execute fail with "Permission denied - Could not access
 * DIR" long after the container was written. This asks the kernel the same
 * question first (a shell run as that user `cd`s into each existing
 * directory), and fails with CONVERT_LXC_PATH_UNREACHABLE naming the top
 * directory that blocks and what to change. Directories still to be made
 * are made searchable by the caller. Needs root (to run as another user);
 * without it nothing is checked, since nothing unprivileged can be written.
 */
export async function checkLxcpathReachable(lxcpath: string, root: HostRoot, signal?: AbortSignal): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const dirs = await existing(ancestors(path.resolve(lxcpath)));
  const res = await runProcess(['/bin/sh', '-c', PROBE, 'sh', ...dirs], { uid: root.uid, gid: root.gid, cwd: '/', ...(signal ? { signal } : {}) });
  const blocked = res.stdout.split('\n').filter((d) => d !== '');
  if (res.code !== 0 || blocked.length === 0) return;
  const dir = blocked[0]!;
  const st = await fs.stat(dir);
  const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
  const word = shellWord(dir);
  throw new ConvertError(
    'CONVERT_LXC_PATH_UNREACHABLE',
    `an unprivileged container's root (host uid ${root.uid}, gid ${root.gid}) cannot reach the lxcpath ${lxcpath}: ${dir} (mode ${mode}, owner ${st.uid}:${st.gid}) does not let it search, so lxc-execute and lxc-start would fail with "Permission denied - Could not access ${dir}". ` +
      `Let it through with \`chmod o+x ${word}\` or an ACL, \`setfacl -m u:${root.uid}:x ${word}\` (every directory above the lxcpath needs it), or choose an --lxcpath it can reach`,
    { lxcpath, dir, uid: root.uid, gid: root.gid, mode },
  );
}
