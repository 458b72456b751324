import { strict as assert } from 'node:assert';
import { applyChmod, resolveChown } from '../../../../src/build/context';
import { goMatch, splitWildcards } from '../../../../src/build/context/glob';
import { parseChmod } from '../../../../src/dockerfile/instructions/copy-values';
import { isHoistError } from '../../../../src/errors';
import { makeTree, rootfs } from './helpers';

describe('build context: --chown, --chmod and source wildcards', () => {
  it('resolves --chown in the target rootfs as BuildKit reads passwd and group', () => {
    const r = rootfs({
      'etc/passwd': 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65533::/:/bin/false\napp:x:1000:1001::/home/app:/bin/sh\n',
      'etc/group': 'root:x:0:\nnogroup:x:65533:\nstaff:x:50:app\n',
    });
    assert.deepEqual(resolveChown(r, 'app'), { uid: 1000, gid: 1001 });
    assert.deepEqual(resolveChown(r, '1000'), { uid: 1000, gid: 1000 }, 'a bare uid gives uid:uid');
    assert.deepEqual(resolveChown(r, 'nobody:staff'), { uid: 65534, gid: 50 });
    assert.deepEqual(resolveChown(r, '12:nogroup'), { uid: 12, gid: 65533 });
    assert.deepEqual(resolveChown(r, '7:8'), { uid: 7, gid: 8 });
    assert.deepEqual(resolveChown(r, { raw: 'app:50', user: 'app', group: '50' }), { uid: 1000, gid: 50 });
    assert.throws(() => resolveChown(r, 'ghost'), (e: unknown) => isHoistError(e, 'COPY_CHOWN_UNKNOWN') && (e as Error).message === 'unable to find user ghost: no matching entries in passwd file');
    assert.throws(() => resolveChown(r, 'app:ghosts'), (e: unknown) => isHoistError(e, 'COPY_CHOWN_UNKNOWN') && /unable to find group ghosts: no matching entries in group file/.test((e as Error).message));
    assert.throws(() => resolveChown(rootfs(), 'app'), (e: unknown) => isHoistError(e, 'COPY_CHOWN_UNKNOWN'), 'no passwd file: names do not resolve');
    assert.deepEqual(resolveChown(rootfs(), '3'), { uid: 3, gid: 3 }, 'ids need no passwd file');
  });
  it('reads passwd through the rootfs\'s own symlinks, never the host\'s', () => {
    // followed on the host this would reach the host's /etc/passwd, which knows root
    const r = rootfs({ 'etc/passwd': { link: '../../../../../../../../../../etc/passwd' }, 'etc/group': 'root:x:0:\n' });
    assert.throws(() => resolveChown(r, 'root'));
    assert.deepEqual(resolveChown(r, '0:root'), { uid: 0, gid: 0 });
    void makeTree;
  });
  it('applies --chmod as fsutil does (octal replaces, symbolic per chmod(1) with umask 0)', () => {
    const c = (spec: string, mode: number, dir = false): string => applyChmod(mode, parseChmod(spec), dir).toString(8);
    assert.equal(c('755', 0o100600), '755');
    assert.equal(c('4755', 0o100600), '4755');
    assert.equal(c('u+x', 0o100644), '744');
    assert.equal(c('go-w', 0o100666), '644');
    assert.equal(c('a=rX', 0o100644), '444');
    assert.equal(c('a=rX', 0o100744), '555');
    assert.equal(c('a=rX', 0o40700, true), '555');
    assert.equal(c('g=u', 0o100640), '660');
    assert.equal(c('+t', 0o40777, true), '1777');
    assert.equal(c('g+s,u-w', 0o40755, true), '2555');
    assert.equal(applyChmod(0o100640, undefined, false).toString(8), '640');
  });
  it('matches sources with Go filepath.Match rules and splits at the first wildcard', () => {
    assert.ok(goMatch('*.txt', 'a.txt'));
    assert.ok(!goMatch('*.txt', 'd/a.txt'), '* never crosses /');
    assert.ok(goMatch('*/a.txt', 'd/a.txt'));
    assert.ok(goMatch('[a-c]?', 'b1'));
    assert.ok(!goMatch('[^a-c]?', 'b1'));
    assert.ok(goMatch('\\*', '*'));
    assert.ok(!goMatch('\\*', 'x'));
    assert.ok(!goMatch('[', '['), 'a malformed pattern matches nothing');
    assert.ok(goMatch('a.b', 'a.b') && !goMatch('a.b', 'axb'), 'regexp metacharacters are literal');
    assert.deepEqual(splitWildcards('/a/b/c*/d'), ['/a/b', 'c*/d']);
    assert.deepEqual(splitWildcards('/a/b'), ['/a/b', '']);
    assert.deepEqual(splitWildcards('/*'), ['/', '*']);
  });
});
