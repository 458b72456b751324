import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { readFileInRoot, resolveImageUser, resolveInRoot } from '../../../src/convert';
import { tmpDir } from '../../helpers/tmp';

function rootfs(passwd?: string, group?: string): string {
  const root = tmpDir();
  fs.mkdirSync(path.join(root, 'etc'));
  if (passwd !== undefined) fs.writeFileSync(path.join(root, 'etc', 'passwd'), passwd);
  if (group !== undefined) fs.writeFileSync(path.join(root, 'etc', 'group'), group);
  return root;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nweb:x:33:33::/var/www:/bin/false\n';
const GROUP = 'root:x:0:\napp:x:1000:\nstaff:x:50:app,web\naudio:x:29:app\n';

describe('convert/resolve-user (docker / runc semantics)', () => {
  it('resolves names, uids, u:g forms and supplementary groups', () => {
    const r = rootfs(PASSWD, GROUP);
    assert.deepEqual(resolveImageUser(r, ''), { uid: 0, gid: 0, additionalGids: [], home: '/root', name: 'root' });
    assert.deepEqual(resolveImageUser(r, 'app'), { uid: 1000, gid: 1000, additionalGids: [50, 29], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveImageUser(r, '1000'), { uid: 1000, gid: 1000, additionalGids: [50, 29], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveImageUser(r, 'app:staff'), { uid: 1000, gid: 50, additionalGids: [], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveImageUser(r, '1234:4321'), { uid: 1234, gid: 4321, additionalGids: [], home: '/' });
    assert.deepEqual(resolveImageUser(r, '1234'), { uid: 1234, gid: 0, additionalGids: [], home: '/' });
    assert.deepEqual(resolveImageUser(r, 'web', ['audio', '7']).additionalGids, [50, 29, 7]);
  });

  it('an unknown name is an error naming it', () => {
    const r = rootfs(PASSWD, GROUP);
    assert.throws(() => resolveImageUser(r, 'nobody'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /nobody/.test(e.message));
    assert.throws(() => resolveImageUser(r, 'app:nogroup'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /nogroup/.test(e.message));
    assert.throws(() => resolveImageUser(r, '99999999999'), (e: unknown) => isHoistError(e, 'CONVERT_USER_INVALID'));
  });

  it('never reads outside the rootfs: /etc/passwd -> /host/file resolves inside it', () => {
    const outside = tmpDir();
    fs.writeFileSync(path.join(outside, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');
    const r = rootfs(undefined, GROUP);
    fs.symlinkSync(path.join(outside, 'passwd'), path.join(r, 'etc', 'passwd'));
    assert.equal(readFileInRoot(r, '/etc/passwd'), undefined);
    assert.throws(() => resolveImageUser(r, 'evil'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN'));
    fs.rmSync(path.join(r, 'etc', 'passwd'));
    fs.symlinkSync('../../../../../../..' + path.join(outside, 'passwd'), path.join(r, 'etc', 'passwd'));
    assert.equal(readFileInRoot(r, '/etc/passwd'), undefined);
    // an in-root absolute link works
    fs.rmSync(path.join(r, 'etc', 'passwd'));
    fs.mkdirSync(path.join(r, 'lib'));
    fs.writeFileSync(path.join(r, 'lib', 'passwd'), PASSWD);
    fs.symlinkSync('/lib/passwd', path.join(r, 'etc', 'passwd'));
    assert.equal(resolveImageUser(r, 'app').uid, 1000);
    assert.equal(resolveInRoot(r, '/etc/passwd'), path.join(r, 'lib', 'passwd'));
  });

  it('refuses symlink loops', () => {
    const r = rootfs();
    fs.symlinkSync('b', path.join(r, 'etc', 'a'));
    fs.symlinkSync('a', path.join(r, 'etc', 'b'));
    assert.throws(() => resolveInRoot(r, '/etc/a'), (e: unknown) => isHoistError(e, 'CONVERT_PATH_LOOP'));
  });
});
