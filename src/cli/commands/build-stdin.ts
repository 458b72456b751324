import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { lazy } from '../lazy';

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const BZIP2 = [0x42, 0x5a, 0x68];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

function startsWith(head: Buffer, magic: number[]): boolean {
  return magic.every((b, i) => head[i] === b);
}

/** docker's test for a `-` context: a (compressed) tar archive, else the bytes are a Dockerfile. */
export function isArchiveHead(head: Buffer): boolean {
  if ([GZIP, ZSTD, BZIP2, XZ].some((m) => startsWith(head, m))) return true;
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}

/**
 * `hoist build -`: stdin is spooled to a file in `dir` (never held in memory),
 * then either extracted as the context (the layer engine's safe apply: no
 * path leaves the directory) or taken as the Dockerfile of an empty context.
 */
export async function prepareStdinContext(stdin: Readable, dir: string, signal?: AbortSignal): Promise<{ dir: string; dockerfileText?: string }> {
  const spool = `${dir}.stdin`;
  try {
    await pipeline(stdin, fs.createWriteStream(spool), signal ? { signal } : {});
    const fd = fs.openSync(spool, 'r');
    const head = Buffer.alloc(512);
    const n = fs.readSync(fd, head, 0, 512, 0);
    fs.closeSync(fd);
    const context = path.join(dir, 'context');
    fs.mkdirSync(context);
    if (isArchiveHead(head.subarray(0, n))) {
      await lazy.layer().applyLayer(fs.createReadStream(spool, { highWaterMark: 1 << 20 }), context, { whiteouts: 'delete', ...(signal ? { signal } : {}) });
      return { dir: context };
    }
    if (fs.statSync(spool).size > 16 << 20) throw new Error('the Dockerfile on stdin is larger than 16 MiB');
    return { dir: context, dockerfileText: fs.readFileSync(spool, 'utf8') };
  } finally {
    fs.rmSync(spool, { force: true });
  }
}
