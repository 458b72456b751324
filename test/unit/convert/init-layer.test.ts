import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureInitLayer, fitsInitLayer } from '../../../src/convert/bundle/init-layer';
import { tmpDir } from '../../helpers/tmp';

/** one layer directory with `entries`: a path ending in `/` is a directory, `a -> b` a symlink, else a file */
function layer(...entries: string[]): string {
  const dir = tmpDir();
  for (const e of entries) {
    const [p, to] = e.split(' -> ') as [string, string | undefined];
    const at = path.join(dir, p);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    if (to !== undefined) fs.symlinkSync(to, at);
    else if (p.endsWith('/')) fs.mkdirSync(at, { recursive: true });
    else fs.writeFileSync(at, 'x');
  }
  return dir;
}

describe('convert/bundle/init-layer', () => {
  it('is made once, with the mountpoints runc would otherwise make in the upper dir', () => {
    const dir = path.join(tmpDir(), '.init');
    assert.equal(ensureInitLayer(dir), dir);
    fs.writeFileSync(path.join(dir, 'etc', 'hosts'), 'untouched');
    assert.equal(ensureInitLayer(dir), dir);
    assert.equal(fs.readFileSync(path.join(dir, 'etc', 'hosts'), 'utf8'), 'untouched', 'made again');
    assert.deepEqual(fs.readdirSync(dir).sort(), ['dev', 'etc', 'proc', 'sys']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
    assert.deepEqual(fs.readdirSync(path.dirname(dir)), ['.init'], 'no temp directory left');
  });

  it('fits an image whose /etc, /dev, /proc, /sys are directories (or absent) and whose /etc files are files (or absent)', () => {
    assert.ok(fitsInitLayer([layer('bin/sh')]));
    assert.ok(fitsInitLayer([layer('etc/passwd', 'proc/', 'dev/null'), layer('etc/hosts', 'sys/')]));
  });

  it('does not fit one it would hide something of: /etc a symlink, /etc/resolv.conf a symlink, /etc/hosts a directory', () => {
    assert.ok(!fitsInitLayer([layer('etc -> private/etc', 'private/etc/passwd')]));
    assert.ok(!fitsInitLayer([layer('etc/resolv.conf -> ../run/resolv.conf')]));
    assert.ok(!fitsInitLayer([layer('etc/hosts/')]));
    // the upper layer decides: a symlink over a lower directory still hides it
    assert.ok(!fitsInitLayer([layer('etc -> x'), layer('etc/passwd')]));
  });
});
