import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { LibcNativeOps } from '../../../src/layer';
import { isRoot, requireCommands, skipWith } from '../../helpers/capabilities';
import { tmpDir } from '../../helpers/tmp';

/** A valid VFS_CAP_REVISION_2 value (effective; permitted CAP_NET_BIND_SERVICE), as setcap writes it. */
const CAP_HEX = '0x0100000200040000000000000000000000000000';

/** getfattr's view, independent of the code under test: name -> value bytes. */
function getfattr(p: string, pattern = '.'): Map<string, Buffer> {
  const out = execFileSync('getfattr', ['-h', '-d', '-m', pattern, '-e', 'hex', '--absolute-names', p], { encoding: 'utf8' });
  const found = new Map<string, Buffer>();
  for (const line of out.split('\n')) {
    const m = /^([^#=][^=]*)=0x([0-9a-f]*)$/.exec(line);
    if (m) found.set(m[1]!, Buffer.from(m[2]!, 'hex'));
  }
  return found;
}

describe('LibcNativeOps (libc calls, checked with getfattr/setfattr)', () => {
  const ops = new LibcNativeOps();
  let dir: string;
  before(function () {
    requireCommands(this, 'getfattr', 'setfattr');
  });
  beforeEach(() => {
    dir = tmpDir('hoist-native-');
  });

  it('is available here without any helper process', async () => {
    assert.equal(await ops.available(), true);
  });

  it('lists what setfattr wrote, by prefix, without following symlinks', async function () {
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'x');
    fs.symlinkSync('f', path.join(dir, 'link'));
    execFileSync('setfattr', ['-n', 'user.one', '-v', 'hello', f]);
    execFileSync('setfattr', ['-n', 'user.bin', '-v', '0x00ff00', f]);
    const names = ['user.one', 'user.bin'];
    if (isRoot()) {
      execFileSync('setfattr', ['-n', 'security.capability', '-v', CAP_HEX, f]);
      execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', f]);
      names.push('security.capability', 'trusted.overlay.opaque');
    }
    const [got, ofLink, none] = await ops.listXattrs([f, path.join(dir, 'link'), dir], ['user.', 'security.capability', 'trusted.overlay.']);
    const want = getfattr(f);
    assert.deepEqual([...(got ?? new Map()).keys()].sort(), names.sort());
    for (const n of names) assert.deepEqual(got?.get(n), want.get(n), n);
    assert.equal(ofLink, undefined, 'the symlink itself has no xattrs');
    assert.equal(none, undefined);
    const [onlyUser] = await ops.listXattrs([f], ['user.one']);
    assert.deepEqual([...(onlyUser ?? new Map()).keys()], ['user.one']);
    if (!isRoot()) skipWith(this, 'security.capability and trusted.* need root (user.* checked)');
  });

  it('reads a value larger than its first buffer (10,000 bytes, on tmpfs)', async function () {
    const shm = fs.mkdtempSync('/dev/shm/hoist-native-');
    try {
      const f = path.join(shm, 'f');
      fs.writeFileSync(f, '');
      try {
        execFileSync('setfattr', ['-n', 'user.big', '-v', 'v'.repeat(10_000), f], { stdio: 'pipe' });
      } catch {
        skipWith(this, '/dev/shm takes no 10 KB user xattr here');
      }
      const [got] = await ops.listXattrs([f], ['user.']);
      assert.deepEqual(got?.get('user.big'), getfattr(f, '^user\\.').get('user.big'));
      assert.equal(got?.get('user.big')?.length, 10_000);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  it('sets xattrs that getfattr reads back, and reports an errno per item', async () => {
    const f = path.join(dir, 'f');
    fs.writeFileSync(f, 'x');
    const value = Buffer.from([0, 1, 2, 255]);
    const errors = await ops.setXattrs([
      { path: f, name: 'user.tag', value },
      { path: path.join(dir, 'missing'), name: 'user.tag', value },
    ]);
    assert.deepEqual(errors, [undefined, 'ENOENT']);
    assert.deepEqual(getfattr(f, '^user\\.').get('user.tag'), value);
  });

  it('fails loudly when a path cannot be listed (never "no xattrs")', async () => {
    await assert.rejects(ops.listXattrs([path.join(dir, 'missing')], ['user.']), (err: unknown) => isHoistError(err, 'LAYER_NATIVE_FAILED') && /ENOENT/.test(err.message));
  });

  it('makes fifos, and char devices as root, with the right numbers', async () => {
    const fifo = path.join(dir, 'fifo');
    const chr = path.join(dir, 'chr');
    const wanted = isRoot() ? [undefined, undefined] : [undefined, 'EPERM'];
    const errors = await ops.mknod([
      { path: fifo, type: 'fifo', mode: 0o640, major: 0, minor: 0 },
      { path: chr, type: 'char', mode: 0o600, major: 259, minor: 70000 },
    ]);
    assert.deepEqual(errors, wanted);
    assert.ok(fs.lstatSync(fifo).isFIFO());
    if (isRoot()) {
      // stat(1) prints major and minor in hex, computed by libc's own macros
      assert.equal(execFileSync('stat', ['-c', '%F %t %T', chr], { encoding: 'utf8' }).trim(), `character special file ${(259).toString(16)} ${(70000).toString(16)}`);
    }
  });
});
