import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createContextOps, type SourceTree } from '../../../../src/build/context';
import { IgnoreMatcher } from '../../../../src/dockerfile/ignore';
import { isHoistError } from '../../../../src/errors';
import { listTree, makeTree, req, rootfs } from './helpers';

/** Expectations are what DOCKER_BUILDKIT=1 docker build (20.10) produced for the same COPY. */
describe('build context: COPY source selection', () => {
  const ops = createContextOps();
  let ctx: SourceTree;
  before(() => {
    const root = makeTree({
      a: 'a',
      b: { content: 'b', mode: 0o600 },
      'dir/c': 'c',
      'dir/sub/d': 'd',
      'dir/lc': { link: 'c' },
      'dir2/e': 'e',
      alink: { link: 'a' },
      dirlink: { link: 'dir' },
      passlink: { link: '/etc/passwd' },
      uplink: { link: '../../../../etc/shadow' },
      'logs/x.log': 'log',
      'logs/keep.log': 'keep',
    });
    ctx = { root, kind: 'context' };
  });
  const copy = async (sources: string[], dest: string, extra = {}, tree = ctx): Promise<string[]> => {
    const r = rootfs();
    await ops.copyInto(tree, req(sources, dest, extra), r);
    return listTree(r, { owners: false });
  };
  const rejects = async (p: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
    await assert.rejects(p, (err: unknown) => {
      assert.ok(isHoistError(err, code as never), `expected ${code}, got ${String(err)}`);
      assert.match((err as Error).message, message);
      return true;
    });
  };

  it('copies a directory source\'s contents, symlinks inside as symlinks', async () => {
    assert.deepEqual(await copy(['dir'], '/d'), ['d/ 0755', 'd/c 0644 "c"', 'd/lc -> c', 'd/sub/ 0755', 'd/sub/d 0644 "d"']);
  });
  it('follows a top-level symlink source inside the tree (file and directory)', async () => {
    assert.deepEqual(await copy(['alink'], '/al'), ['al 0644 "a"']);
    assert.deepEqual(await copy(['dirlink'], '/dl'), ['dl/ 0755', 'dl/c 0644 "c"', 'dl/lc -> c', 'dl/sub/ 0755', 'dl/sub/d 0644 "d"']);
  });
  it('matches wildcards per component and copies each directory match\'s contents', async () => {
    assert.deepEqual(await copy(['dir*'], '/x/'), ['x/ 0755', 'x/c 0644 "c"', 'x/e 0644 "e"', 'x/lc -> c', 'x/sub/ 0755', 'x/sub/d 0644 "d"']);
    assert.deepEqual(await copy(['dir/*'], '/y/'), ['y/ 0755', 'y/c 0644 "c"', 'y/d 0644 "d"', 'y/lc 0644 "c"']);
    assert.deepEqual(await copy(['*/s?b/d'], '/z/'), ['z/ 0755', 'z/d 0644 "d"']);
  });
  it('lets a wildcard match nothing (BuildKit allows empty wildcards) but not a plain path', async () => {
    assert.deepEqual(await copy(['nomatch*'], '/x/'), ['x/ 0755']);
    await rejects(copy(['nonexist'], '/x'), 'COPY_SOURCE_NOT_FOUND', /failed to compute cache key: "\/nonexist" not found/);
    await rejects(ops.hashSources(ctx, req(['nonexist'], '/x')), 'COPY_SOURCE_NOT_FOUND', /"\/nonexist" not found/);
  });
  it('several sources to a name without a slash overwrite it in turn (as BuildKit does)', async () => {
    assert.deepEqual(await copy(['a', 'b'], '/x'), ['x 0600 "b"']);
    assert.deepEqual(await copy(['[ab]'], '/m'), ['m 0600 "b"']);
  });
  it('never reads outside the context: symlinks pointing out, ../ and absolute sources', async () => {
    await rejects(copy(['passlink'], '/x'), 'COPY_SOURCE_NOT_FOUND', /"\/etc\/passwd" not found/);
    await rejects(copy(['uplink'], '/x'), 'COPY_SOURCE_NOT_FOUND', /"\/etc\/shadow" not found/);
    await rejects(copy(['../../../../etc/passwd'], '/x'), 'COPY_SOURCE_NOT_FOUND', /"\/etc\/passwd" not found/);
    assert.deepEqual(await copy(['../a', '/b'], '/o/'), ['o/ 0755', 'o/a 0644 "a"', 'o/b 0600 "b"']);
  });
  it('a symlink pointing out resolves inside when the context has that path', async () => {
    const root = makeTree({ 'etc/passwd': 'ctx passwd', link: { link: '/etc/passwd' }, up: { link: '../../etc/passwd' } });
    assert.deepEqual(await copy(['link', 'up'], '/o/', {}, { root, kind: 'context' }), ['o/ 0755', 'o/link 0644 "ctx passwd"', 'o/up 0644 "ctx passwd"']);
  });
  it('hides what .dockerignore excludes, keeping re-included files', async () => {
    const tree: SourceTree = { ...ctx, ignore: new IgnoreMatcher(['logs', '!logs/keep.log', 'a', 'dir/sub']) };
    assert.deepEqual(await copy(['logs', 'dir'], '/o/', {}, tree), ['o/ 0755', 'o/c 0644 "c"', 'o/keep.log 0644 "keep"', 'o/lc -> c']);
    await rejects(copy(['a'], '/x', {}, tree), 'COPY_SOURCE_NOT_FOUND', /"\/a" not found/);
    const none: SourceTree = { ...ctx, ignore: new IgnoreMatcher(['logs', 'dir2', '!logs/keep.log', '!dir2/*.md']) };
    assert.deepEqual(await copy(['.'], '/all/', {}, none), (await copy(['.'], '/all/', { excludes: ['logs/x.log', 'dir2'] })), 'an excluded dir with nothing re-included does not exist');
    await rejects(copy(['alink'], '/x', {}, tree), 'COPY_SOURCE_NOT_FOUND', /"\/a" not found/);
    assert.deepEqual(await copy(['[ab]'], '/o/', {}, tree), ['o/ 0755', 'o/b 0600 "b"']);
  });
  it('--exclude filters below each source, with ! exceptions', async () => {
    assert.deepEqual(await copy(['dir'], '/o/', { excludes: ['sub', 'l*'] }), ['o/ 0755', 'o/c 0644 "c"']);
    assert.deepEqual(await copy(['logs'], '/o/', { excludes: ['*.log', '!keep.log'] }), ['o/ 0755', 'o/keep.log 0644 "keep"']);
  });
  it('--parents keeps the source path, from the root or from a /./ pivot', async () => {
    assert.deepEqual(await copy(['dir/sub/d', 'dir2/e'], '/p/', { parents: true }), [
      'p/ 0755',
      'p/dir/ 0755',
      'p/dir/sub/ 0755',
      'p/dir/sub/d 0644 "d"',
      'p/dir2/ 0755',
      'p/dir2/e 0644 "e"',
    ]);
    assert.deepEqual(await copy(['dir/./sub/d'], '/q/', { parents: true }), ['q/ 0755', 'q/sub/ 0755', 'q/sub/d 0644 "d"']);
    assert.deepEqual(await copy(['*/e'], '/w/', { parents: true }), ['w/ 0755', 'w/dir2/ 0755', 'w/dir2/e 0644 "e"']);
    await rejects(copy(['dir/nope'], '/p/', { parents: true }), 'COPY_SOURCE_NOT_FOUND', /"\/dir\/nope" not found/);
  });
  it('refuses a URL for COPY', async () => {
    await rejects(copy(['http://127.0.0.1:1/x'], '/x'), 'COPY_SOURCE_INVALID', /URL for COPY/);
  });
  after(() => ops.close());
  void fs;
  void path;
});
