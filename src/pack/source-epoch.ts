import * as path from 'node:path';
import { sourceDateEpoch } from '../layer/diff/stat-header';
import { runProcess } from '../sys/run-process';

/**
 * The time every packed file and history entry carries: SOURCE_DATE_EPOCH,
 * else the commit time of the lockfile's last commit (when the project is a
 * git work tree and git is installed), else 0 (1970). Never "now": two packs
 * of one project must give one digest.
 */
export async function packEpoch(lockfile: string, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<number> {
  const fromEnv = sourceDateEpoch(env);
  if (fromEnv !== undefined) return fromEnv;
  try {
    const r = await runProcess(['git', 'log', '-1', '--format=%ct', '--', path.basename(lockfile)], { cwd: path.dirname(lockfile), ...(signal ? { signal } : {}) });
    const t = r.stdout.trim();
    if (r.code === 0 && /^\d+$/.test(t)) return Number(t);
  } catch {
    // git is not installed (ENOENT): no commit time
  }
  return 0;
}
