import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CopySnapshotter } from '../../../src/snapshot';
import { Store } from '../../../src/store';
import { FS_TOPDIR_FL, hasLibc, libc, markTopDir } from '../../../src/sys';
import { skipWith } from '../../helpers/capabilities';
import { makeTempDir } from '../../helpers/layer-tree';

/** The directory's inode flags (`lsattr -d`), or why they cannot be read here. */
function flagsOf(dir: string): number | string {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    return libc().getInodeFlags(fd);
  } finally {
    fs.closeSync(fd);
  }
}

// ext4 places the directories made in a top-level one (FS_TOPDIR_FL, `chattr +T`) in block groups
// of their own: each snapshot's files then land away from a tree removed a moment before
// (docs/unpack.md, "Where unpacked files land").
describe('snapshot: layers/ is the top of directory hierarchies', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(function () {
    if (!hasLibc()) skipWith(this, 'needs the libc binding (koffi) to read inode flags');
    tmp = makeTempDir('hoist-topdir-');
    const probe = path.join(tmp.dir, 'probe');
    fs.mkdirSync(probe);
    const why = markTopDir(probe);
    if (why !== undefined) {
      tmp.cleanup();
      skipWith(this, `the file system of ${tmp.dir} keeps no top-dir flag (${why}): ext4 does`);
    }
  });
  afterEach(() => tmp?.cleanup());

  it('markTopDir sets FS_TOPDIR_FL, keeps the other flags, and is idempotent', () => {
    const dir = path.join(tmp.dir, 'd');
    fs.mkdirSync(dir);
    const before = flagsOf(dir);
    assert.equal(typeof before, 'number');
    assert.equal((before as number) & FS_TOPDIR_FL, 0);
    assert.equal(markTopDir(dir), undefined);
    assert.equal(flagsOf(dir), (before as number) | FS_TOPDIR_FL);
    assert.equal(markTopDir(dir), undefined);
    assert.equal(flagsOf(dir), (before as number) | FS_TOPDIR_FL);
  });

  it('markTopDir answers an errno, and changes nothing, for what is not a directory', () => {
    const file = path.join(tmp.dir, 'f');
    fs.writeFileSync(file, 'x');
    assert.equal(markTopDir(file), 'ENOTDIR');
    assert.equal(markTopDir(path.join(tmp.dir, 'missing')), 'ENOENT');
  });

  it("a store's layers/ gets the flag with its first snapshot, and the snapshot still works", async () => {
    const store = await Store.open(path.join(tmp.dir, 'store'));
    const sn = new CopySnapshotter(store.paths);
    await sn.prepare('a');
    const flags = flagsOf(store.paths.layers);
    assert.equal(typeof flags, 'number');
    assert.notEqual((flags as number) & FS_TOPDIR_FL, 0, 'layers/ is marked');
    assert.equal((await sn.stat('a')).kind, 'active');
  });
});
