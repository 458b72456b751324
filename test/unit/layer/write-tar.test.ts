import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readTar, writeTar, type TarEntry } from '../../../src/layer';
import { isHoistError } from '../../../src/errors';
import { tmpDir } from '../../helpers/tmp';

const file = (name: string, body: Buffer): TarEntry => ({ header: { name, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0, size: body.length }, body });

async function toFile(entries: TarEntry[]): Promise<string> {
  const out = path.join(tmpDir(), 'a.tar');
  await pipeline(writeTar(entries), fs.createWriteStream(out));
  return out;
}

describe('layer/tar/write-tar', () => {
  it('writes members from buffers and streams that GNU tar and the strict reader both read back', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 0x61);
    const out = await toFile([
      { header: { name: 'blobs', type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 0, size: 0 } },
      { header: { ...file('blobs/big', big).header }, body: Readable.from([big.subarray(0, 1000), big.subarray(1000)]) },
      file('index.json', Buffer.from('{}\n')),
    ]);
    const listed = spawnSync('tar', ['-tvf', out], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    assert.match(listed.stdout, /^drwxr-xr-x 0\/0 +0 1970-01-01 00:00 blobs\/$/m);
    assert.match(listed.stdout, new RegExp(`^-rw-r--r-- 0/0 +${big.length} 1970-01-01 00:00 blobs/big$`, 'm'));
    const seen: string[] = [];
    let bytes = 0;
    await readTar(fs.createReadStream(out), (h) => {
      seen.push(`${h.type} ${h.name} ${h.size}`);
      return h.name === 'blobs/big' ? { data: (c) => void (bytes += c.length), end: () => undefined } : undefined;
    });
    assert.deepEqual(seen, ['dir blobs/ 0', `file blobs/big ${big.length}`, 'file index.json 3']);
    assert.equal(bytes, big.length);
  });

  it('refuses a body shorter or longer than its header says (IO_ERROR), instead of a wrong archive', async () => {
    for (const body of [Buffer.alloc(9), Buffer.alloc(11)]) {
      const entry: TarEntry = { header: { ...file('x', Buffer.alloc(10)).header }, body: Readable.from([body]) };
      await assert.rejects(toFile([entry]), (e: unknown) => isHoistError(e, 'IO_ERROR') && /tar member x/.test((e as Error).message));
    }
    await assert.rejects(toFile([{ ...file('y', Buffer.alloc(10)), body: Buffer.alloc(3) }]), (e: unknown) => isHoistError(e, 'IO_ERROR'));
  });
});
