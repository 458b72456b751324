import * as fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { BuildError } from '../../errors';
import { decodeHeader, isZeroBlock } from '../../layer/tar/decode-header';
import { createDecompressStream } from '../../stream';
import { startProcess } from '../../sys/run-process';

type ArchiveCompression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none';
const CHUNK = 1024 * 1024;

/** The compression docker's DecompressStream recognises by magic number. */
function compressionOf(head: Buffer): ArchiveCompression {
  if (head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08) return 'gzip';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

function readHead(file: string, n: number): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** The file's bytes, decompressed (bzip2 and xz through their Debian tools, as docker runs xz). */
function openDecompressed(file: string): { stream: Readable; stop(): void } {
  const compression = compressionOf(readHead(file, 6));
  const input = fs.createReadStream(file, { fd: fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW), highWaterMark: CHUNK });
  if (compression === 'bzip2' || compression === 'xz') {
    const child = startProcess([compression, '-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
    input.pipe(child.stdin!);
    child.stdin!.on('error', () => undefined); // EPIPE once we stop reading early
    const out = new PassThrough({ highWaterMark: CHUNK });
    child.stdout!.pipe(out);
    child.on('error', (err) => out.destroy(new BuildError('ADD_ARCHIVE_FAILED', `cannot run ${compression} to extract ${file}: ${err.message}`, { file }, { cause: err })));
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) out.destroy(new BuildError('ADD_ARCHIVE_FAILED', `${compression} -d failed (exit ${code}) on ${file}`, { file }));
    });
    return { stream: out, stop: () => (input.destroy(), child.kill()) };
  }
  if (compression === 'none') return { stream: input, stop: () => input.destroy() };
  const d = createDecompressStream(compression);
  input.pipe(d);
  return { stream: d, stop: () => (input.destroy(), d.destroy()) };
}

/**
 * BuildKit's isArchivePath: a regular file whose (decompressed) content
 * starts with a valid tar header. Content decides, never the name.
 */
export async function isUnpackable(file: string): Promise<boolean> {
  const { stream, stop } = openDecompressed(file);
  const parts: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= 1024) break;
    }
  } catch {
    return false;
  } finally {
    stop();
  }
  const head = Buffer.concat(parts);
  if (head.length < 512) return false;
  const first = head.subarray(0, 512);
  if (isZeroBlock(first)) return false; // Go: a zero block then anything is EOF or ErrHeader
  try {
    decodeHeader(first, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Extract a local archive into `destDir` (made already) through the layer
 * engine's safe apply: entries stay inside and keep the owners, modes and
 * times the archive gives them (docker 20.10 applies `--chown` only to the
 * directories it makes for dest, not to what it extracts), aufs whiteouts
 * applied as docker's Untar applies them; the archive's `./` entry does not
 * change `destDir` itself.
 */
export async function unpackArchive(file: string, destDir: string, signal?: AbortSignal): Promise<void> {
  const before = fs.lstatSync(destDir);
  const { stream, stop } = openDecompressed(file);
  try {
    // the extractor is loaded only when an ADD unpacks an archive
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { applyLayer } = require('../../layer/apply/apply-layer') as typeof import('../../layer/apply/apply-layer');
    await applyLayer(stream, destDir, { whiteouts: 'delete', ...(signal ? { signal } : {}) });
  } finally {
    stop();
    fs.lchownSync(destDir, before.uid, before.gid);
    fs.chmodSync(destDir, before.mode & 0o7777);
    fs.utimesSync(destDir, before.atime, before.mtime);
  }
}
