import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../../src/errors';
import { readFileInRoot, resolveUser, resolveInRoot } from '../../../../src/convert';
import { tmpDir } from '../../../helpers/tmp';

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
  it('resolves names, uids, u:g forms and groups as docker run does (primary gid first, then the groups listing the user)', () => {
    const r = rootfs(PASSWD, GROUP);
    assert.deepEqual(resolveUser(r, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/root', name: 'root' });
    assert.deepEqual(resolveUser(r, undefined), resolveUser(r, ''));
    assert.deepEqual(resolveUser(r, 'app'), { uid: 1000, gid: 1000, additionalGids: [1000, 50, 29], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveUser(r, '1000'), { uid: 1000, gid: 1000, additionalGids: [1000, 50, 29], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveUser(r, '+1000'), resolveUser(r, '1000'), "Go's Atoi takes a sign");
    assert.deepEqual(resolveUser(r, 'app:staff'), { uid: 1000, gid: 50, additionalGids: [50], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveUser(r, 'app:1000'), { uid: 1000, gid: 1000, additionalGids: [1000], home: '/home/app', name: 'app' });
    assert.deepEqual(resolveUser(r, 'app:'), resolveUser(r, 'app'), 'an empty group is the implicit form');
    assert.deepEqual(resolveUser(r, '1234:4321'), { uid: 1234, gid: 4321, additionalGids: [4321], home: '/' });
    assert.deepEqual(resolveUser(r, '1234'), { uid: 1234, gid: 0, additionalGids: [0], home: '/' });
    assert.deepEqual(resolveUser(r, 'web', { groupAdd: ['audio', '7', '50', 'staff'] }).additionalGids, [33, 50, 29, 7]);
    assert.deepEqual(resolveUser(r, 'app:audio', { groupAdd: ['staff'] }).additionalGids, [29, 50]);
  });

  it('a numeric user is a uid and a numeric group a gid, never a name; the first matching entry wins', () => {
    const r = rootfs('a:x:1000:1000::/a:/bin/sh\n1000:x:5:5::/b:/bin/sh\na:x:7:7::/c:/bin/sh\n', '1000:x:9:a\ng:x:1000:\n');
    assert.deepEqual(resolveUser(r, '1000'), { uid: 1000, gid: 1000, additionalGids: [1000, 9], home: '/a', name: 'a' });
    assert.deepEqual(resolveUser(r, 'a:1000').gid, 1000);
    assert.deepEqual(resolveUser(r, '', { groupAdd: ['1000'] }).additionalGids, [0, 9], '--group-add matches a name or a gid as written, first in the file');
  });

  it('without /etc/passwd and /etc/group: root and numeric ids only', () => {
    const r = rootfs();
    assert.deepEqual(resolveUser(r, ''), { uid: 0, gid: 0, additionalGids: [0], home: '/' });
    assert.deepEqual(resolveUser(r, '5:6', { groupAdd: ['7'] }), { uid: 5, gid: 6, additionalGids: [6, 7], home: '/' });
    assert.throws(() => resolveUser(r, 'app'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN'));
    assert.throws(() => resolveUser(r, '', { groupAdd: ['staff'] }), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /staff/.test(e.message));
  });

  it('an unknown name is an error naming it', () => {
    const r = rootfs(PASSWD, GROUP);
    assert.throws(() => resolveUser(r, 'nobody'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /nobody/.test(e.message));
    assert.throws(() => resolveUser(r, 'app:nogroup'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /nogroup/.test(e.message));
    assert.throws(() => resolveUser(r, '99999999999'), (e: unknown) => isHoistError(e, 'CONVERT_USER_INVALID'));
    assert.throws(() => resolveUser(r, '-1'), (e: unknown) => isHoistError(e, 'CONVERT_USER_INVALID'));
    assert.throws(() => resolveUser(r, 'app:-1'), (e: unknown) => isHoistError(e, 'CONVERT_USER_INVALID'));
    assert.throws(() => resolveUser(r, 'app', { groupAdd: ['nogroup'] }), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN') && /nogroup/.test(e.message));
  });

  it('never reads outside the rootfs: /etc/passwd -> /host/file resolves inside it', () => {
    const outside = tmpDir();
    fs.writeFileSync(path.join(outside, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');
    const r = rootfs(undefined, GROUP);
    fs.symlinkSync(path.join(outside, 'passwd'), path.join(r, 'etc', 'passwd'));
    assert.equal(readFileInRoot(r, '/etc/passwd'), undefined);
    assert.throws(() => resolveUser(r, 'evil'), (e: unknown) => isHoistError(e, 'CONVERT_USER_UNKNOWN'));
    fs.rmSync(path.join(r, 'etc', 'passwd'));
    fs.symlinkSync('../../../../../../..' + path.join(outside, 'passwd'), path.join(r, 'etc', 'passwd'));
    assert.equal(readFileInRoot(r, '/etc/passwd'), undefined);
    // an in-root absolute link works
    fs.rmSync(path.join(r, 'etc', 'passwd'));
    fs.mkdirSync(path.join(r, 'lib'));
    fs.writeFileSync(path.join(r, 'lib', 'passwd'), PASSWD);
    fs.symlinkSync('/lib/passwd', path.join(r, 'etc', 'passwd'));
    assert.equal(resolveUser(r, 'app').uid, 1000);
    assert.equal(resolveInRoot(r, '/etc/passwd'), path.join(r, 'lib', 'passwd'));
  });

  it('refuses symlink loops', () => {
    const r = rootfs();
    fs.symlinkSync('b', path.join(r, 'etc', 'a'));
    fs.symlinkSync('a', path.join(r, 'etc', 'b'));
    assert.throws(() => resolveInRoot(r, '/etc/a'), (e: unknown) => isHoistError(e, 'CONVERT_PATH_LOOP'));
  });
});
