import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { encodeHeader, readTar, type TarHeader } from '../../../src/layer';
import { tarOf } from '../../helpers/layer-tar';

async function headersOf(tar: Buffer): Promise<TarHeader[]> {
  const out: TarHeader[] = [];
  await readTar(Readable.from([tar]), (h) => {
    out.push(h);
    return undefined;
  });
  return out;
}

describe('tar format', () => {
  it('writes plain ustar when everything fits', () => {
    const b = encodeHeader({ name: 'etc/passwd', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 5, mtime: 1 });
    assert.equal(b.length, 512);
    assert.equal(b.toString('latin1', 257, 263), 'ustar\u0000');
  });

  it('uses PAX for long names and targets, big ids and sizes, negative mtimes and xattrs', async () => {
    const name = `${'n'.repeat(150)}/ü-${'x'.repeat(120)}`;
    const header: TarHeader = {
      name,
      type: 'symlink',
      mode: 0o777,
      uid: 3_000_000,
      gid: 4_000_000,
      size: 0,
      mtime: -5,
      linkname: 't'.repeat(300),
      xattrs: new Map([['user.k', Buffer.from([0, 1, 2, 255])]]),
    };
    const [got] = await headersOf(tarOf([{ header }]));
    assert.equal(got?.name, name);
    assert.equal(got?.linkname, header.linkname);
    assert.deepEqual([got?.uid, got?.gid, got?.mtime], [3_000_000, 4_000_000, -5]);
    assert.deepEqual(got?.xattrs?.get('user.k'), Buffer.from([0, 1, 2, 255]));
  });

  it('round-trips any name, mode and owner (property)', async () => {
    const segment = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..');
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 8 }), fc.nat(0o7777), fc.nat(5_000_000), async (parts, mode, uid) => {
        const name = parts.join('/');
        const [got] = await headersOf(tarOf([{ header: { name, mode, uid, gid: uid } }]));
        assert.deepEqual([got?.name, got?.mode, got?.uid, got?.gid], [name, mode, uid, uid]);
      }),
      { numRuns: 200 },
    );
  });

  it('reads GNU long names and base-256 numbers (as GNU tar writes them)', async () => {
    const long = 'g'.repeat(200);
    const gnu = (typeflag: string, name: string, size: number): Buffer => {
      const b = encodeHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });
      b.write(typeflag, 156, 'latin1');
      b.write('ustar  \u0000', 257, 'latin1');
      b.fill(0, 108, 116);
      b[108] = 0x80;
      b.writeUInt32BE(5_000_000, 112);
      b.fill(0x20, 148, 156);
      let sum = 0;
      for (const x of b) sum += x;
      b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
      return b;
    };
    const body = Buffer.concat([Buffer.from(long), Buffer.alloc(512 - long.length)]);
    const tar = Buffer.concat([gnu('L', '././@LongLink', long.length), body, gnu('0', 'short', 0), Buffer.alloc(1024)]);
    const [got] = await headersOf(tar);
    assert.equal(got?.name, long);
    assert.equal(got?.uid, 5_000_000);
  });

  it('accepts an empty stream as an empty archive, and a lone trailing zero block', async () => {
    assert.deepEqual(await headersOf(Buffer.alloc(0)), []);
    const one = tarOf([{ header: { name: 'a' }, body: 'a' }], { end: false });
    assert.equal((await headersOf(Buffer.concat([one, Buffer.alloc(512)]))).length, 1);
  });
});
