import { randomBytes } from 'node:crypto';
import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { isErrno } from '../errors';

/** fsync a directory so that a rename inside it is durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch (err) {
    if (!isErrno(err, 'EISDIR', 'EINVAL', 'EPERM')) throw err;
  } finally {
    await fh?.close();
  }
}

/**
 * Write a small file atomically: temp file beside it, fsync, rename, fsync the
 * directory. Readers see the old or the new content, never a mix. `durable:
 * false` leaves out both fsyncs (readers still see old or new, but a crash may
 * keep either, or an empty file): for a file that means nothing after a crash.
 */
export async function writeFileAtomic(file: string, data: Buffer | string, mode = 0o644, options: { durable?: boolean } = {}): Promise<void> {
  const durable = options.durable !== false;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await fs.open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    if (durable) await fh.sync();
  } catch (err) {
    await fh.close();
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
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
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
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
