import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { pushImage } from '../../../src/registry';
import { Store } from '../../../src/store';
import { isRoot, skipWith } from '../../helpers/capabilities';
import { runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { tmpDir } from '../../helpers/tmp';

const NO_SPACE = /^hoist: no space left on device writing \S+: need \d+\.\d MB, \d+\.\d MB free\n$/;

function usedKb(dir: string): number {
  return Number(execFileSync('df', ['-k', '--output=used', dir], { encoding: 'utf8' }).trim().split('\n')[1]);
}

/** No partial write left: ingest/ holds nothing but (dead) lock links prune removes too. */
function ingestData(root: string): string[] {
  return fs.readdirSync(path.join(root, 'ingest')).filter((n) => !n.endsWith('.lock'));
}

describe('store: a full disk (an 8 MB tmpfs)', function () {
  this.timeout(300_000);
  let mnt: string;
  let reg: RegistryServer;
  let bigArchive: string;
  let smallArchive: string;
  let bigRef: string;
  let bigBytes: number;

  before(async function () {
    if (!isRoot()) skipWith(this, 'needs root to mount a tmpfs');
    requireRegistry(this);
    mnt = tmpDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
    const work = tmpDir();
    bigArchive = path.join(work, 'big.tar');
    await makeDockerArchive(bigArchive, { tags: ['big:1'], layers: [[{ path: 'a', content: randomBytes(6 << 20) }], [{ path: 'b', content: randomBytes(6 << 20) }]] });
    smallArchive = path.join(work, 'small.tar');
    await makeDockerArchive(smallArchive, { tags: ['small:1'], layers: [[{ path: 'c', content: randomBytes(2 << 20) }]] });
    reg = await startRegistry();
    const src = await Store.open(path.join(work, 'src'));
    bigRef = `${reg.host}/full/big:1`;
    const img = await buildTestImage(src, { layers: [{ a: randomBytes(6 << 20) }, { b: randomBytes(6 << 20) }], gzip: true }, bigRef);
    bigBytes = img.blobs.reduce((n, b) => n + b.size, 0);
    await pushImage(src, bigRef);
  });
  after(async () => {
    await reg?.stop();
    if (mnt) execFileSync('umount', [mnt]);
  });
  let root: string;
  beforeEach(() => {
    root = path.join(mnt, `store-${randomBytes(4).toString('hex')}`);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('pull of an image larger than the free space: one line naming the disk, nothing left behind, the next load works', async () => {
    const r = await runHoist(['pull', '-q', bigRef], { root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, NO_SPACE);
    assert.match(r.stderr, /need 12\.\d MB/);
    assert.deepEqual(ingestData(root), []);
    const next = await runHoist(['load', '-q', '-i', smallArchive], { root });
    assert.equal(next.code, 0, next.stderr);
  });

  it('pull whose disk fills up midway (free space passes the check, not the ingest records): one line, no stack trace, nothing left behind', async () => {
    execFileSync('mount', ['-o', 'remount,size=24m', mnt]);
    const filler = path.join(mnt, 'filler');
    try {
      await runHoist(['images'], { root }); // the store exists
      // free: the blobs and 8 KiB, enough for the free space check, not for the ingests' records beside the data
      const st = fs.statfsSync(mnt);
      fs.writeFileSync(filler, Buffer.alloc(st.bavail * st.bsize - bigBytes - 8192));
      const free = fs.statfsSync(mnt);
      assert.ok(free.bavail * free.bsize >= bigBytes);
      const r = await runHoist(['pull', '-q', bigRef], { root });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, NO_SPACE);
      assert.deepEqual(ingestData(root), []);
      fs.rmSync(filler);
      const again = await runHoist(['pull', '-q', bigRef], { root });
      assert.equal(again.code, 0, again.stderr);
    } finally {
      fs.rmSync(filler, { force: true });
      fs.rmSync(root, { recursive: true, force: true });
      execFileSync('mount', ['-o', 'remount,size=8m', mnt]);
    }
  });

  it('load that fills the disk: one line naming the disk (not the archive), partial writes removed, the next load works', async () => {
    const r = await runHoist(['load', '-q', '-i', bigArchive], { root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, NO_SPACE);
    assert.deepEqual(ingestData(root), []);
    assert.deepEqual(fs.readdirSync(path.join(root, 'blobs', 'sha256')), [], 'the blobs this load added are removed again');
    const next = await runHoist(['load', '-q', '-i', smallArchive], { root });
    assert.equal(next.code, 0, next.stderr);
  });

  it('a load killed on a disk then filled to the last byte: prune starts, reclaims the partial writes, the next load works', async () => {
    await runHoist(['images'], { root }); // the store exists
    // the archive on stdin, cut 3 MiB in (inside the first 6 MiB layer): the load waits there for
    // more, with an ingest holding data, until it is killed (no race with a load that would
    // otherwise fill the 8 MB disk and clean up within a few ms)
    const child = spawnHoist(['load', '-q'], { root });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    child.stdout?.resume();
    child.stderr?.resume();
    child.stdin?.on('error', () => undefined);
    const head = Buffer.alloc(3 << 20);
    const fd = fs.openSync(bigArchive, 'r');
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    child.stdin?.write(head);
    for (const end = Date.now() + 60_000; !(usedKb(mnt) >= 1024 && ingestData(root).length > 0) && child.exitCode === null && Date.now() < end; ) {
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(child.exitCode, null, 'the load ended before it could be killed mid-blob');
    assert.ok(ingestData(root).length > 0, 'the load is inside a blob');
    child.kill('SIGKILL');
    await closed;
    const filler = path.join(mnt, 'filler');
    try {
      fs.writeFileSync(filler, Buffer.alloc(16 << 20));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    assert.ok(ingestData(root).length > 0, 'the killed load left partial writes');
    const pruned = await runHoist(['prune'], { root });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /Removed \d+ abandoned partial writes/);
    assert.deepEqual(ingestData(root), []);
    fs.rmSync(filler);
    const next = await runHoist(['load', '-q', '-i', smallArchive], { root });
    assert.equal(next.code, 0, next.stderr);
  });
});
