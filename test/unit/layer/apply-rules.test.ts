import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer, defaultNativeOps } from '../../../src/layer';
import { tarOf, type TarSpec } from '../../helpers/layer-tar';
import { describeTree, makeTempDir, requireRoot } from '../../helpers/layer-tree';

describe('apply rules', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir();
    for (const f of ['keep/a', 'keep/b', 'opq/lower1', 'opq/sub/lower2', 'gone/x', 'file']) {
      fs.mkdirSync(path.dirname(path.join(tmp.dir, f)), { recursive: true });
      fs.writeFileSync(path.join(tmp.dir, f), f);
    }
  });
  afterEach(() => tmp.cleanup());
  const apply = (specs: TarSpec[], whiteouts: 'delete' | 'overlay' = 'delete') => applyLayer(Readable.from([tarOf(specs)]), tmp.dir, { whiteouts });
  const exists = (p: string): boolean => fs.existsSync(path.join(tmp.dir, p));

  it('a whiteout removes a file and a whole directory', async () => {
    await apply([{ header: { name: 'keep/.wh.a' } }, { header: { name: '.wh.gone' } }]);
    assert.deepEqual([exists('keep/a'), exists('keep/b'), exists('gone')], [false, true, false]);
  });

  it('an opaque marker hides the lower content but keeps what the layer wrote, also before the marker', async () => {
    await apply([
      { header: { name: 'opq/sub', type: 'dir', mode: 0o755 } },
      { header: { name: 'opq/sub/new' }, body: 'new' },
      { header: { name: 'opq/early' }, body: 'early' },
      { header: { name: 'opq/.wh..wh..opq' } },
      { header: { name: 'opq/late' }, body: 'late' },
    ]);
    assert.deepEqual(fs.readdirSync(path.join(tmp.dir, 'opq')).sort(), ['early', 'late', 'sub']);
    assert.deepEqual(fs.readdirSync(path.join(tmp.dir, 'opq/sub')), ['new']);
  });

  it('in overlay mode records whiteouts as char 0/0 and opaque dirs as trusted.overlay.opaque', async function () {
    requireRoot(this, 'mknod and trusted.* xattrs');
    const empty = path.join(tmp.dir, 'layer');
    fs.mkdirSync(empty);
    const specs: TarSpec[] = [{ header: { name: 'd', type: 'dir', mode: 0o755 } }, { header: { name: 'd/.wh..wh..opq' } }, { header: { name: '.wh.old' } }];
    await applyLayer(Readable.from([tarOf(specs)]), empty, { whiteouts: 'overlay' });
    const st = fs.lstatSync(path.join(empty, 'old'));
    assert.ok(st.isCharacterDevice() && st.rdev === 0);
    const [x] = await defaultNativeOps().listXattrs([path.join(empty, 'd')], ['trusted.overlay.']);
    assert.equal(x?.get('trusted.overlay.opaque')?.toString(), 'y');
    assert.equal(exists('layer/d/.wh..wh..opq'), false);
  });

  it('into an empty root (where only what it wrote is looked at) writes the tree it writes into a non-empty one', async () => {
    // entries that meet what the same layer wrote before them: each needs the look the empty root skips elsewhere
    const specs: TarSpec[] = [
      { header: { name: 'a/b/f' }, body: 'implicit parents' },
      { header: { name: 'a', type: 'dir', mode: 0o750 } },
      { header: { name: 'dup' }, body: 'first' },
      { header: { name: 'dup' }, body: 'second wins' },
      { header: { name: 'x' }, body: 'a file, then a dir' },
      { header: { name: 'x', type: 'dir', mode: 0o755 } },
      { header: { name: 'x/inside' }, body: 'in x' },
      { header: { name: 'a/b', type: 'symlink', linkname: '../x' } },
      { header: { name: 'hl', type: 'link', linkname: 'dup' } },
      { header: { name: '.wh.x' } },
      { header: { name: 'x/again' }, body: 'x made again as a parent' },
    ];
    const empty = path.join(tmp.dir, 'empty');
    const other = path.join(tmp.dir, 'other');
    fs.mkdirSync(empty);
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'sentinel'), '');
    await applyLayer(Readable.from([tarOf(specs)]), empty, { whiteouts: 'delete' });
    await applyLayer(Readable.from([tarOf(specs)]), other, { whiteouts: 'delete' });
    fs.rmSync(path.join(other, 'sentinel'));
    assert.deepEqual(await describeTree(empty), await describeTree(other));
    assert.deepEqual(fs.readdirSync(empty).sort(), ['a', 'dup', 'hl', 'x']);
    assert.equal(fs.readlinkSync(path.join(empty, 'a/b')), '../x');
    assert.deepEqual(fs.readdirSync(path.join(empty, 'x')), ['again']);
    // a symlink the layer wrote is still never a parent
    const fresh = path.join(tmp.dir, 'fresh');
    fs.mkdirSync(fresh);
    const hostile: TarSpec[] = [{ header: { name: 'l', type: 'symlink', linkname: '/tmp' } }, { header: { name: 'l/escape' }, body: 'no' }];
    await assert.rejects(applyLayer(Readable.from([tarOf(hostile)]), fresh), { code: 'LAYER_UNSAFE_PATH' });
  });

  it('replaces a file by a directory and a directory by a symlink (unlink unless dir over dir)', async () => {
    await apply([
      { header: { name: 'file', type: 'dir', mode: 0o750 } },
      { header: { name: 'keep', type: 'symlink', linkname: 'file' } },
    ]);
    assert.ok(fs.lstatSync(path.join(tmp.dir, 'file')).isDirectory());
    assert.ok(fs.lstatSync(path.join(tmp.dir, 'keep')).isSymbolicLink());
  });

  it('keeps setuid through chown (chown before chmod) and sets directory mtimes last', async function () {
    requireRoot(this, 'chown');
    await apply([
      { header: { name: 'd', type: 'dir', mode: 0o555, mtime: 1_000_000 } },
      { header: { name: 'd/su', mode: 0o4755, uid: 1000, gid: 1000, mtime: 2_000_000 }, body: 'x' },
    ]);
    const su = fs.statSync(path.join(tmp.dir, 'd/su'));
    assert.equal(su.mode & 0o7777, 0o4755);
    assert.deepEqual([su.uid, su.gid, su.mtimeMs / 1000], [1000, 1000, 2_000_000]);
    const d = fs.statSync(path.join(tmp.dir, 'd'));
    assert.deepEqual([d.mode & 0o7777, d.mtimeMs / 1000], [0o555, 1_000_000]);
  });

  it('refuses trusted.* xattrs from a layer with a warning', async () => {
    const xattrs = new Map([['trusted.overlay.opaque', Buffer.from('y')]]);
    const r = await apply([{ header: { name: 'keep', type: 'dir', mode: 0o755, xattrs } }]);
    assert.equal(r.warnings[0]?.code, 'xattr-skipped');
    const [x] = await defaultNativeOps().listXattrs([path.join(tmp.dir, 'keep')], ['trusted.']);
    assert.equal(x, undefined);
  });
});
