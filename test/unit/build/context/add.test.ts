import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createContextOps, type SourceTree } from '../../../../src/build/context';
import { parseChmod } from '../../../../src/dockerfile/instructions/copy-values';
import { isHoistError } from '../../../../src/errors';
import { requireCommands } from '../../../helpers/capabilities';
import { listTree, makeTree, req, rootfs } from './helpers';

describe('build context: ADD', () => {
  const ops = createContextOps();
  let ctx: SourceTree;
  before(function () {
    requireCommands(this, 'tar', 'gzip', 'bzip2', 'xz');
    const root = makeTree({ 'payload/top.txt': 'top', 'payload/sub/inner.txt': 'inner', 'plain.txt': 'not an archive', 'fake.tar.gz': 'also not an archive' });
    fs.symlinkSync('top.txt', path.join(root, 'payload/link'));
    execFileSync('tar', ['-cf', 'p.tar', '--owner=7', '--group=8', '-C', 'payload', '.'], { cwd: root });
    execFileSync('sh', ['-c', 'gzip -c p.tar > p.tar.gz && bzip2 -c p.tar > p.tbz && xz -c p.tar > archive.bin && cp p.tar p.data'], { cwd: root });
    ctx = { root, kind: 'context' };
  });
  after(() => ops.close());
  const add = (sources: string[], dest: string, extra = {}) => req(sources, dest, { instruction: 'ADD', ...extra });
  const want = (d: string): string[] => [`${d}/ 0755 0:0`, `${d}/link -> top.txt 7:8`, `${d}/sub/ 0755 7:8`, `${d}/sub/inner.txt 0644 7:8 "inner"`, `${d}/top.txt 0644 7:8 "top"`];

  it('extracts local tar archives (plain, gzip, bzip2, xz), told by content not name', async () => {
    for (const [src, d] of [['p.tar', 'a'], ['p.tar.gz', 'b'], ['p.tbz', 'c'], ['archive.bin', 'd'], ['p.data', 'e']] as const) {
      const r = rootfs();
      await ops.copyInto(ctx, add([src], `/${d}`), r);
      assert.deepEqual(listTree(r).filter((l) => !l.startsWith('./')), want(d), `${src} extracted into /${d}`);
    }
  });
  it('copies other files as COPY does (a .tar.gz name alone is not an archive)', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, add(['plain.txt', 'fake.tar.gz'], '/o/'), r);
    assert.deepEqual(listTree(r), ['o/ 0755 0:0', 'o/fake.tar.gz 0644 0:0 "also not an archive"', 'o/plain.txt 0644 0:0 "not an archive"']);
  });
  it('--chown owns the directory it makes, not what it extracts (docker 20.10); COPY never extracts', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, add(['p.tar.gz'], '/x', { owner: { uid: 5, gid: 6 } }), r);
    assert.deepEqual(listTree(r), [...want('x')].map((l, i) => (i === 0 ? 'x/ 0755 5:6' : l)));
    const s = rootfs();
    await ops.copyInto(ctx, req(['p.tar.gz'], '/y/'), s);
    assert.deepEqual(listTree(s, { owners: false }).length, 2);
  });
  it('--unpack=false copies a local archive as a file', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, add(['p.tar.gz'], '/x/', { unpackArchives: false }), r);
    assert.deepEqual(listTree(r, { owners: false }).map((l) => l.split(' ').slice(0, 2).join(' ')), ['x/ 0755', 'x/p.tar.gz 0644']);
  });
  it('hashes an extracted archive differently from a copied one', async () => {
    const asAdd = await ops.hashSources(ctx, add(['p.tar'], '/x'));
    const asCopy = await ops.hashSources(ctx, req(['p.tar'], '/x'));
    assert.notEqual(asAdd.digest, asCopy.digest);
  });

  describe('http(s) URLs (loopback server)', () => {
    let server: http.Server;
    let base: string;
    const body = 'downloaded body\n';
    const sha = createHash('sha256').update(body).digest('hex');
    before(async () => {
      server = http.createServer((rq, res) => {
        if (rq.url === '/files/data.txt') {
          res.writeHead(200, { 'Last-Modified': 'Wed, 21 Oct 2015 07:28:00 GMT', 'Content-Length': body.length });
          res.end(body);
        } else if (rq.url === '/redirect') {
          res.writeHead(302, { Location: '/files/data.txt' });
          res.end();
        } else if (rq.url === '/p.tar') {
          res.writeHead(200);
          res.end(fs.readFileSync(path.join(ctx.root, 'p.tar')));
        } else if (rq.url === '/') {
          res.writeHead(200);
          res.end('root');
        } else {
          res.writeHead(404);
          res.end('no');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('downloads to dest/NAME with mode 0600 and Last-Modified as mtime; never extracts', async () => {
      const r = rootfs();
      await ops.copyInto(ctx, add([`${base}/files/data.txt`, `${base}/p.tar`, `${base}/`], '/dl/'), r);
      const lines = listTree(r);
      assert.deepEqual(lines.slice(0, 3), ['dl/ 0755 0:0', 'dl/__unnamed__ 0600 0:0 "root"', `dl/data.txt 0600 0:0 ${JSON.stringify(body)}`]);
      assert.match(lines[3]!, /^dl\/p\.tar 0600 0:0 /);
      assert.equal(fs.statSync(path.join(r, 'dl/data.txt')).mtimeMs, Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'));
    });
    it('a dest without a slash is the file itself; redirects are followed; --chown applies, --chmod not (docker 20.10)', async () => {
      const r = rootfs();
      await ops.copyInto(ctx, add([`${base}/redirect`], '/etc/conf', { owner: { uid: 3, gid: 4 }, chmod: parseChmod('755') }), r);
      assert.deepEqual(listTree(r), ['etc/ 0755 3:4', `etc/conf 0600 3:4 ${JSON.stringify(body)}`]);
    });
    it('verifies --checksum and names both digests on a mismatch', async () => {
      const r = rootfs();
      await ops.copyInto(ctx, add([`${base}/files/data.txt`], '/ok', { checksum: `sha256:${sha}` }), r);
      const wrong = 'sha256:' + '0'.repeat(64);
      await assert.rejects(ops.copyInto(ctx, add([`${base}/files/data.txt`], '/bad', { checksum: wrong }), rootfs()), (err: unknown) => {
        assert.ok(isHoistError(err, 'ADD_CHECKSUM_MISMATCH'));
        assert.match((err as Error).message, new RegExp(`sha256:${sha} \\(expected: ${wrong}\\)`));
        return true;
      });
    });
    it('refuses --checksum on anything but one URL, with BuildKit\'s messages', async () => {
      const sum = `sha256:${sha}`;
      const bad = async (r: ReturnType<typeof add>, m: RegExp) => assert.rejects(ops.hashSources(ctx, r), (e: unknown) => isHoistError(e, 'COPY_SOURCE_INVALID') && m.test((e as Error).message));
      await bad(add(['plain.txt'], '/x', { checksum: sum }), /checksum requires HTTP\(S\) or Git sources/);
      await bad(add([`${base}/files/data.txt`, `${base}/`], '/x/', { checksum: sum }), /multiple sources/);
      await bad(req(['plain.txt'], '/x', { checksum: sum }), /for COPY/);
    });
    it('--unpack=true extracts a downloaded archive into dest and copies anything else as a file (dockerfile 1.17)', async () => {
      const r = rootfs();
      await ops.copyInto(ctx, add([`${base}/p.tar`, `${base}/files/data.txt`], '/dl/', { unpackUrls: true }), r);
      assert.deepEqual(listTree(r), [...want('dl').slice(0, 1), `dl/data.txt 0600 0:0 ${JSON.stringify(body)}`, ...want('dl').slice(1)]);
      const plain = await ops.hashSources(ctx, add([`${base}/p.tar`], '/dl/'));
      const unpacked = await ops.hashSources(ctx, add([`${base}/p.tar`], '/dl/', { unpackUrls: true }));
      assert.notEqual(plain.digest, unpacked.digest, 'extracting is part of the key');
      const notArchive = await ops.hashSources(ctx, add([`${base}/files/data.txt`], '/dl/', { unpackUrls: true }));
      assert.equal(notArchive.digest, (await ops.hashSources(ctx, add([`${base}/files/data.txt`], '/dl/'))).digest, 'a file that is no archive is keyed as a download');
    });
    it('fails clearly on a non-2xx status; hashes a URL by its content', async () => {
      await assert.rejects(ops.copyInto(ctx, add([`${base}/missing`], '/x'), rootfs()), (err: unknown) => isHoistError(err, 'ADD_URL_FAILED') && /status 404/.test((err as Error).message));
      const a = await ops.hashSources(ctx, add([`${base}/files/data.txt`], '/x'));
      const b = await ops.hashSources(ctx, add([`${base}/redirect`], '/x'));
      assert.notEqual(a.digest, b.digest, 'the URL is part of the key');
      assert.equal(a.bytes, body.length);
    });
  });
});
