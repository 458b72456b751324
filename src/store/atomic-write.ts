import { randomBytes } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../errors';

/** fsync a directory so that a rename inside it is durable (the fsync in the thread pool). */
export async function fsyncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = fsSync.openSync(dir, 'r');
    await fsyncFd(fd);
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM')) throw err;
  } finally {
    if (fd !== undefined) fsSync.closeSync(fd);
  }
}

/** fsync(2) of an open descriptor in the thread pool (one round trip). */
function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsSync.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

/** The temp file beside `file` that both writers rename into place (leftovers.ts's TEMP_FILE matches it). */
function tempFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Write a small file atomically: temp file beside it, fsync, rename, fsync the
 * directory. Readers see the old or the new content, never a mix. `durable:
 * false` leaves out both fsyncs (readers still see old or new, but a crash may
 * keep either, or an empty file): for a file that means nothing after a crash.
 * The open, write, close and rename are synchronous calls (the file is small:
 * microseconds each), only the fsyncs go to the thread pool: each of the eight
 * asynchronous calls this took was a round trip that queued behind whatever
 * the pool was doing (a build's layer gzip: 10-30 ms each; docs/bench.md).
 */
export async function writeFileAtomic(file: string, data: Buffer | string, mode = 0o644, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable !== false;
  const dir = path.dirname(file);
  const tmp = tempFileFor(file);
  const fd = fsSync.openSync(tmp, 'wx', mode);
  try {
    fsSync.writeFileSync(fd, data);
    if (durable) await fsyncFd(fd);
  } catch (err) {
    fsSync.closeSync(fd);
    fsSync.rmSync(tmp, { force: true });
    throw err;
  }
  fsSync.closeSync(fd);
  try {
    fsSync.renameSync(tmp, file);
  } catch (err) {
    fsSync.rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) await fsyncDir(dir);
}

/**
 * `writeFileAtomic` in synchronous calls, for a small file written under a
 * short lock (`withShortLock`) or where nothing else runs meanwhile: the same
 * temp file, fsyncs (unless `durable: false`) and rename.
 */
export function writeFileAtomicSync(file: string, data: Buffer | string, mode = 0o644, options: { durable?: boolean } = {}): void {
  const durable = options.durable !== false;
  const dir = path.dirname(file);
  const tmp = tempFileFor(file);
  const fd = fsSync.openSync(tmp, 'wx', mode);
  try {
    fsSync.writeFileSync(fd, data);
    if (durable) fsSync.fsyncSync(fd);
    fsSync.closeSync(fd);
    fsSync.renameSync(tmp, file);
  } catch (err) {
    try {
      fsSync.closeSync(fd);
    } catch {
      // closed already
    }
    fsSync.rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDirSync(dir);
}

function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fsSync.openSync(dir, 'r');
    fsSync.fsyncSync(fd);
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM')) throw err;
  } finally {
    if (fd !== undefined) fsSync.closeSync(fd);
  }
}
