import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readFileInLayers } from '../../../src/convert/read-in-layers';
import { readFileInRoot } from '../../../src/convert/read-in-root';
import { isOverlaySupported } from '../../../src/snapshot/mount';
import { requireCommands, skipWith } from '../../helpers/capabilities';
import { tmpDir } from '../../helpers/tmp';

/** Files of one layer in overlay's form: `wh` a whiteout (0/0 device), `opaque` a directory marked opaque. */
type Entry = { file: string; text: string } | { dir: string; opaque?: boolean } | { link: string; to: string } | { wh: string };

function writeLayer(dir: string, entries: Entry[]): void {
  for (const e of entries) {
    const at = (p: string): string => path.join(dir, p);
    if ('file' in e) {
      fs.mkdirSync(path.dirname(at(e.file)), { recursive: true });
      fs.writeFileSync(at(e.file), e.text);
    } else if ('dir' in e) {
      fs.mkdirSync(at(e.dir), { recursive: true });
      if (e.opaque) assert.equal(spawnSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', at(e.dir)]).status, 0);
    } else if ('link' in e) {
      fs.mkdirSync(path.dirname(at(e.link)), { recursive: true });
      fs.symlinkSync(e.to, at(e.link));
    } else {
      fs.mkdirSync(path.dirname(at(e.wh)), { recursive: true });
      assert.equal(spawnSync('mknod', [at(e.wh), 'c', '0', '0']).status, 0);
    }
  }
}

// readFileInLayers reads an image from its unpacked layers as the overlay of them shows it; the
// reference is the kernel's overlay of the same layers, mounted, read through readFileInRoot
describe('convert/read-in-layers: a file of the image as the overlay of its layers shows it', function () {
  let layers: string[];
  let merged: string;

  before(async function () {
    if (!(await isOverlaySupported())) skipWith(this, 'needs root and overlayfs (mounts the same layers to compare)');
    requireCommands(this, 'setfattr', 'mknod', 'mount', 'umount');
    const work = tmpDir();
    layers = ['top', 'middle', 'bottom'].map((n) => path.join(work, n));
    writeLayer(layers[2]!, [
      { file: 'etc/passwd', text: 'bottom passwd' },
      { file: 'etc/group', text: 'bottom group' },
      { file: 'opq/b', text: 'lower b' },
      { file: 'x', text: 'a file' },
      { file: 'real/etc/passwd', text: 'via link' },
      { file: 'gone/f', text: 'deleted dir' },
    ]);
    writeLayer(layers[1]!, [
      { file: 'etc/other', text: 'middle' },
      { wh: 'etc/group' },
      { link: 'etc2', to: '/real/etc' },
      { link: 'rel', to: '../real/./etc/passwd' },
      { wh: 'gone' },
    ]);
    writeLayer(layers[0]!, [{ dir: 'opq', opaque: true }, { file: 'opq/a', text: 'upper a' }, { file: 'x/y', text: 'dir over a file' }, { file: 'etc/top', text: 't' }]);
    merged = path.join(work, 'merged');
    fs.mkdirSync(merged);
    const r = spawnSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${layers.join(':')}`, merged], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  after(() => {
    if (merged !== undefined) spawnSync('umount', [merged]);
  });

  for (const p of ['/etc/passwd', '/etc/group', '/etc/other', '/etc/top', '/opq/a', '/opq/b', '/x/y', '/x', '/etc2/passwd', '/rel', '/gone/f', '/nope', '/etc']) {
    it(`${p} as the mounted overlay shows it`, () => {
      assert.equal(readFileInLayers(layers, p), readFileInRoot(merged, p));
    });
  }

  it('reads the expected content (the reference is not empty-handed)', () => {
    assert.deepEqual(
      ['/etc/passwd', '/etc/group', '/opq/b', '/etc2/passwd', '/x/y'].map((p) => readFileInLayers(layers, p)),
      ['bottom passwd', undefined, undefined, 'via link', 'dir over a file'],
    );
  });
});
