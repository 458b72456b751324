import { runProcess } from '../../sys';

/** The installed LXC's version (`lxc-execute --version`, e.g. [5, 0, 2]); undefined when it is not installed or says nothing parseable. */
export async function installedLxcVersion(signal?: AbortSignal): Promise<number[] | undefined> {
  try {
    const res = await runProcess(['lxc-execute', '--version'], { stderr: 'ignore', ...(signal ? { signal } : {}) });
    const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(res.stdout.trim());
    return res.code === 0 && m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Whether LXC applies `lxc.init.groups` in a user namespace: from 6.0.6 on
 * (lxc commit 9e6caeab, "start: Respect lxc.init.groups also in new user
 * namespace"); before, an unprivileged container's process has no
 * supplementary groups at all.
 */
export function honoursInitGroupsInUserns(version: readonly number[]): boolean {
  const want = [6, 0, 6];
  for (let i = 0; i < want.length; i++) if ((version[i] ?? 0) !== want[i]) return (version[i] ?? 0) > want[i]!;
  return true;
}
