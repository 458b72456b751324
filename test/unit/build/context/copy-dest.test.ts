import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createContextOps, destPathOf, type SourceTree } from '../../../../src/build/context';
import { parseChmod } from '../../../../src/dockerfile/instructions/copy-values';
import { isHoistError } from '../../../../src/errors';
import { isRoot, requireCommands, skipWith } from '../../../helpers/capabilities';
import { listTree, makeTree, req, rootfs } from './helpers';

/** Expectations are what DOCKER_BUILDKIT=1 docker build (20.10) produced, unless a test says otherwise. */
describe('build context: COPY destinations, modes, owners', () => {
  const ops = createContextOps();
  let ctx: SourceTree;
  before(function () {
    if (!isRoot()) skipWith(this, 'owners and chown need root');
    ctx = {
      kind: 'context',
      root: makeTree({
        a: { content: 'a', mtime: 981173106, uid: 1234, gid: 2345 },
        b: { content: 'b', mode: 0o600 },
        'dir/c': { content: 'c', mode: 0o755 },
        'dir/sub/d': { content: 'd', uid: 1234, gid: 2345 },
        'dir/lc': { link: 'c' },
        'd7/x': 'x',
        'd7/deep': { dir: true, mode: 0o700 },
      }),
    };
  });
  after(() => ops.close());

  it('joins a relative destination to WORKDIR and keeps the trailing slash', () => {
    assert.equal(destPathOf('x', '/app'), '/app/x');
    assert.equal(destPathOf('.', '/app'), '/app/');
    assert.equal(destPathOf('', '/app'), '/app/');
    assert.equal(destPathOf('sub/', '/app'), '/app/sub/');
    assert.equal(destPathOf('sub/.', '/app'), '/app/sub/');
    assert.equal(destPathOf('/abs//y/../z/', '/app'), '/abs/z/');
    assert.equal(destPathOf('/', '/app'), '/');
  });

  it('puts a file inside `dest/`, inside an existing directory, or at `dest`; makes parents 0755', async () => {
    const r = rootfs({ 'app/existing': { dir: true } });
    await ops.copyInto(ctx, req(['a'], 'new/'), r);
    await ops.copyInto(ctx, req(['a'], '/app/existing'), r);
    await ops.copyInto(ctx, req(['b'], 'deep/er/file', { workdir: '/app' }), r);
    assert.deepEqual(listTree(r), [
      'app/ 0755 0:0',
      'app/deep/ 0755 0:0',
      'app/deep/er/ 0755 0:0',
      'app/deep/er/file 0600 0:0 "b"',
      'app/existing/ 0755 0:0',
      'app/existing/a 0644 0:0 "a"',
      'new/ 0755 0:0',
      'new/a 0644 0:0 "a"',
    ]);
  });

  it('keeps mtime and mode; context files are 0:0, --from files keep their ids', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, req(['a', 'dir'], '/c/'), r);
    assert.equal(fs.statSync(path.join(r, 'c/a')).mtimeMs, 981173106000);
    assert.deepEqual(listTree(r), ['c/ 0755 0:0', 'c/a 0644 0:0 "a"', 'c/c 0755 0:0 "c"', 'c/lc -> c 0:0', 'c/sub/ 0755 0:0', 'c/sub/d 0644 0:0 "d"']);
    const s = rootfs();
    await ops.copyInto({ ...ctx, kind: 'stage' }, req(['a', 'dir/sub'], '/s/'), s);
    assert.deepEqual(listTree(s), ['s/ 0755 0:0', 's/a 0644 1234:2345 "a"', 's/d 0644 1234:2345 "d"']);
  });

  it('a directory source lands in a new 0755 directory; its subdirectories keep their modes', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, req(['d7'], '/d7'), r);
    assert.deepEqual(listTree(r), ['d7/ 0755 0:0', 'd7/deep/ 0700 0:0', 'd7/x 0644 0:0 "x"']);
  });

  it('--chown owns the files and the parents it makes; --chmod octal applies to files and subdirectories', async () => {
    const r = rootfs({ o: { dir: true } });
    await ops.copyInto(ctx, req(['dir'], '/o/p/', { owner: { uid: 65534, gid: 65534 }, chmod: parseChmod('750') }), r);
    assert.deepEqual(listTree(r), [
      'o/ 0755 0:0',
      'o/p/ 0755 65534:65534',
      'o/p/c 0750 65534:65534 "c"',
      'o/p/lc -> c 65534:65534',
      'o/p/sub/ 0750 65534:65534',
      'o/p/sub/d 0750 65534:65534 "d"',
    ]);
  });

  it('--chmod symbolic works as chmod(1) (X only for directories and executables)', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, req(['dir'], '/o/', { chmod: parseChmod('u=rwX,go=rX') }), r);
    assert.deepEqual(listTree(r, { owners: false }), ['o/ 0755', 'o/c 0755 "c"', 'o/lc -> c', 'o/sub/ 0755', 'o/sub/d 0644 "d"']);
    const s = rootfs();
    await ops.copyInto(ctx, req(['b', 'a'], '/o/', { chmod: parseChmod('g+w,o-r,u+s') }), s);
    assert.deepEqual(listTree(s, { owners: false }), ['o/ 0755', 'o/a 4660 "a"', 'o/b 4620 "b"']);
  });

  it('resolves the destination through symlinked directories inside the rootfs (Debian /bin -> usr/bin)', async () => {
    const r = rootfs({ 'usr/bin': { dir: true }, bin: { link: 'usr/bin' }, lnk: { link: '/etc' }, etc: { dir: true } });
    await ops.copyInto(ctx, req(['a'], '/bin/'), r);
    await ops.copyInto(ctx, req(['b'], '/lnk/b2'), r);
    await ops.copyInto(ctx, req(['a'], '/bin'), r);
    assert.deepEqual(listTree(r, { owners: false }), ['bin -> usr/bin', 'etc/ 0755', 'etc/b2 0600 "b"', 'lnk -> /etc', 'usr/ 0755', 'usr/bin/ 0755', 'usr/bin/a 0644 "a"']);
  });

  it('never writes outside the rootfs through a destination symlink pointing out', async () => {
    const outside = makeTree({ 'keep/file': 'outside' });
    const r = rootfs({ out: { link: outside }, up: { link: '../../../../../../' + outside.slice(1) + '/keep' }, rel: { link: '../..' } });
    await ops.copyInto(ctx, req(['a'], '/out/'), r);
    await ops.copyInto(ctx, req(['b'], '/up/file'), r);
    await ops.copyInto(ctx, req(['a'], '/rel/x'), r);
    assert.deepEqual(listTree(outside, { owners: false }), ['keep/ 0755', 'keep/file 0644 "outside"']);
    const inside = listTree(r, { owners: false });
    assert.ok(inside.includes(`${outside.slice(1)}/a 0644 "a"`), inside.join('\n'));
    assert.ok(inside.includes(`${outside.slice(1)}/keep/file 0600 "b"`), inside.join('\n'));
    assert.ok(inside.includes('x 0644 "a"'), inside.join('\n'));
  });

  it('replaces a symlink in the way of a file instead of writing through it', async () => {
    const outside = makeTree({ victim: 'safe' });
    const r = rootfs({ 'o/c': { link: path.join(outside, 'victim') } });
    await ops.copyInto(ctx, req(['dir'], '/o/'), r);
    assert.equal(fs.readFileSync(path.join(outside, 'victim'), 'utf8'), 'safe');
    assert.equal(fs.readFileSync(path.join(r, 'o/c'), 'utf8'), 'c');
    const s = rootfs({ 'o/sub': { link: outside } });
    await assert.rejects(ops.copyInto(ctx, req(['dir'], '/o/'), s), (err: unknown) => isHoistError(err, 'COPY_DEST_CONFLICT') && /cannot copy to non-directory: \/o\/sub/.test((err as Error).message));
    assert.deepEqual(fs.readdirSync(outside), ['victim']);
  });

  it('refuses to replace a directory with a file (a file source onto a directory goes inside it)', async () => {
    const r = rootfs({ 'x/a/inner': 'i', 'o/c/inner': 'i' });
    await ops.copyInto(ctx, req(['a'], '/x/a'), r);
    assert.equal(fs.readFileSync(path.join(r, 'x/a/a'), 'utf8'), 'a');
    await assert.rejects(ops.copyInto(ctx, req(['dir'], '/o/'), r), (err: unknown) => isHoistError(err, 'COPY_DEST_CONFLICT') && /cannot replace to directory \/o\/c with file/.test((err as Error).message));
  });

  it('writes heredoc files 0644 (or --chmod), named by the heredoc when dest is a directory', async () => {
    const r = rootfs();
    await ops.copyInto(ctx, req([], '/etc/inline.conf', { inline: [{ path: 'EOF', data: 'key=value\n' }] }), r);
    await ops.copyInto(ctx, req([], '/usr/local/bin/tool.sh', { inline: [{ path: 'EOT', data: '#!/bin/sh\n' }], chmod: parseChmod('0755') }), r);
    await ops.copyInto(ctx, req(['a'], '/d/', { inline: [{ path: 'NOTE', data: 'n' }], owner: { uid: 9, gid: 9 } }), r);
    assert.deepEqual(listTree(r), [
      'd/ 0755 9:9',
      'd/NOTE 0644 9:9 "n"',
      'd/a 0644 9:9 "a"',
      'etc/ 0755 0:0',
      'etc/inline.conf 0644 0:0 "key=value\\n"',
      'usr/ 0755 0:0',
      'usr/local/ 0755 0:0',
      'usr/local/bin/ 0755 0:0',
      'usr/local/bin/tool.sh 0755 0:0 "#!/bin/sh\\n"',
    ]);
    const h = (data: string) => ops.hashSources(ctx, req([], '/x', { inline: [{ path: 'EOF', data }] }));
    assert.equal((await h('a')).digest, (await h('a')).digest);
    assert.notEqual((await h('a')).digest, (await h('b')).digest);
  });

  it('keeps hard links within one source as hard links', async () => {
    const root = makeTree({ 'h/one': 'same' });
    fs.linkSync(path.join(root, 'h/one'), path.join(root, 'h/two'));
    const r = rootfs();
    await ops.copyInto({ root, kind: 'context' }, req(['h'], '/h'), r);
    assert.equal(fs.statSync(path.join(r, 'h/one')).ino, fs.statSync(path.join(r, 'h/two')).ino);
  });
});

describe('build context: what only a --from tree carries', () => {
  const ops = createContextOps();
  after(() => ops.close());
  it('copies fifos, device nodes and layer xattrs from a --from tree, none of them from the context', async function () {
    requireCommands(this, 'mknod', 'mkfifo', 'setfattr', 'getfattr');
    if (!isRoot()) skipWith(this, 'device nodes need root');
    const root = makeTree({ 'opt/cap': 'bin', 'opt/plain': 'p' });
    execFileSync('mkfifo', [path.join(root, 'opt/fifo')]);
    execFileSync('mknod', ['-m', '0640', path.join(root, 'opt/null'), 'c', '1', '3']);
    execFileSync('setfattr', ['-n', 'user.note', '-v', 'hello', path.join(root, 'opt/cap')]);
    execFileSync('setfattr', ['-n', 'security.capability', '-v', '0x0100000200040000000000000000000000000000', path.join(root, 'opt/cap')]);
    const xattrs = (p: string): string =>
      execFileSync('getfattr', ['-d', '-m', '-', '--absolute-names', p], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes('='))
        .sort()
        .join(' ');
    const r = rootfs();
    await ops.copyInto({ root, kind: 'stage' }, req(['opt'], '/o/'), r);
    const st = fs.lstatSync(path.join(r, 'o/null'));
    assert.ok(st.isCharacterDevice() && st.rdev === fs.lstatSync('/dev/null').rdev && (st.mode & 0o7777) === 0o640);
    assert.ok(fs.lstatSync(path.join(r, 'o/fifo')).isFIFO());
    assert.equal(xattrs(path.join(r, 'o/cap')), xattrs(path.join(root, 'opt/cap')));
    assert.match(xattrs(path.join(r, 'o/cap')), /security\.capability=.*user\.note="hello"/);
    const c = rootfs();
    await ops.copyInto({ root, kind: 'context' }, req(['opt'], '/o/'), c);
    assert.deepEqual(fs.readdirSync(path.join(c, 'o')).sort(), ['cap', 'plain']);
    assert.equal(xattrs(path.join(c, 'o/cap')), '');
  });
});
