import * as assert from 'node:assert/strict';
import { pbkdf2 } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../src/store/atomic-write';
import { makeTempDir } from '../../helpers/layer-tree';

/** Keeps every thread of the pool busy for a while (pbkdf2 runs there), as a build's layer gzip does; `onFirst` when one is free again. */
function busyPool(onFirst: () => void): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  return Promise.all(
    Array.from({ length: threads }, () => new Promise((resolve) => pbkdf2('x', 'y', 300_000, 32, 'sha256', () => resolve(onFirst())))),
  );
}

describe('store/writeFileAtomic', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir('hoist-atomic-')));
  afterEach(() => tmp.cleanup());

  it('replaces the file whole and leaves no temp file, durable or not', async () => {
    const file = path.join(tmp.dir, 'meta.json');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two', 0o600, { durable: false });
    assert.equal(fs.readFileSync(file, 'utf8'), 'two');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(tmp.dir), ['meta.json']);
  });

  // each asynchronous call was a thread-pool round trip that queued behind the pool's work (a
  // build's layer gzip): only the fsyncs go there now (docs/bench.md)
  it('does not wait for a busy thread pool when it need not fsync', async () => {
    const file = path.join(tmp.dir, 'meta.json');
    let freed = false;
    const pool = busyPool(() => (freed = true));
    await writeFileAtomic(file, 'x', 0o644, { durable: false });
    const waited = freed;
    await pool;
    assert.equal(waited, false, 'the write finished while every thread of the pool was busy');
    assert.equal(fs.readFileSync(file, 'utf8'), 'x');
  });
});
