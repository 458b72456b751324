import * as fs from 'node:fs';
import * as path from 'node:path';
import { startProcess } from '../../sys/run-process';
import { readStamp, snapshotFiles, stampFor, type SnapshotFiles, type SnapshotKind } from './snapshot-files';

/** How a hoist process started: see cli/start.ts. */
export type StartedFrom = 'disk' | 'snapshot' | 'stale';

/** A build that failed is not tried again for this long (it would fail again on every start). */
const RETRY_FAILED_MS = 10 * 60_000;
/** A lock older than this belongs to a builder that died. */
const STALE_LOCK_MS = 3 * 60_000;

/**
 * After a start without a usable snapshot: builds one in a detached process
 * for the starts that follow, unless one is there for this root and node
 * binary (a cheap look: the stamp; a blob whose modules changed is found out
 * at its next start, as `stale`), one is being built, or a build failed
 * lately. Never throws: the snapshot only makes starts faster.
 */
export function scheduleSnapshotBuild(root: string, from: StartedFrom, kind: SnapshotKind, env: NodeJS.ProcessEnv = process.env): void {
  if (from === 'snapshot' || env.NODE_OPTIONS) return; // bin/hoist uses no blob with NODE_OPTIONS set
  try {
    const files = snapshotFiles(root, kind, env);
    if (files === undefined || (from === 'disk' && upToDate(root, files)) || recent(files.failed, RETRY_FAILED_MS) || !takeLock(files.lock)) return;
    const builder = path.join(__dirname, 'build-snapshot.js');
    const child = startProcess([process.execPath, builder, root, '--kind', kind, '--lock-held'], { detached: true, stdio: ['ignore', 'ignore', 'ignore'], env: { ...env, NODE_OPTIONS: '' } });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    /* no snapshot: the next start is as slow as this one */
  }
}

/** What bin/hoist's shell part checks, but the `$0` and PATH of this start. */
function upToDate(root: string, files: SnapshotFiles): boolean {
  const stamp = readStamp(files.stamp);
  const now = stampFor(root, files.blob);
  return stamp !== undefined && now !== undefined && (Object.keys(now) as (keyof typeof now)[]).every((k) => stamp[k] === now[k]);
}

function recent(file: string, ms: number): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs < ms;
  } catch {
    return false;
  }
}

/** Creates the lock file (exclusively), taking over one left by a builder that died. */
export function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 });
      fs.closeSync(fs.openSync(lock, 'wx', 0o600));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || recent(lock, STALE_LOCK_MS)) return false;
      fs.rmSync(lock, { force: true });
    }
  }
  return false;
}
