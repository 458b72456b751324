import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultNativeOps } from '../../src/layer';
import { Store } from '../../src/store';
import { isRoot, makeTempDir, touch } from './layer-tree';

const T0 = 1_600_000_000;

/** Nested directories whose joined path is about `total` bytes (each name <= 200 bytes). */
function deepPath(total: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < total; i++) {
    const name = `d${i}-${'x'.repeat(Math.min(190, total - len))}`;
    parts.push(name);
    len += name.length + 1;
  }
  return parts.join('/');
}

/**
 * A tree with every file type hoist archives and the awkward names layers
 * meet: spaces, unicode, a newline, a 255-byte name, a 4,000-byte path, hard
 * links, a sparse file, a >4 MiB file (streamed), setuid, a large uid (PAX),
 * xattrs (user.* and security.capability), a read-only directory, and,
 * as root, char and block devices and a fifo.
 */
export async function makeAwkwardTree(root: string): Promise<void> {
  const native = defaultNativeOps();
  const w = (rel: string, data: string | Buffer, mode = 0o644): string => {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, data);
    fs.chmodSync(p, mode);
    return p;
  };
  w('plain.txt', 'hello\n');
  w('with space/file name.txt', 'spaces\n');
  w('ünïcødé/日本語.txt', 'unicode\n');
  w('new\nline', 'newline in name\n');
  w('empty', '');
  w('a'.repeat(255), 'long name\n');
  const deep = deepPath(3985); // + '/leaf.txt' = ~4,000 bytes
  w(`${deep}/leaf.txt`, 'deep\n');
  w('bin/setuid', '#!/bin/sh\n', 0o4755);
  w('big.bin', Buffer.alloc(5 * 1024 * 1024 + 123, 7));
  const sparse = w('sparse.img', '');
  const fd = fs.openSync(sparse, 'r+');
  fs.writeSync(fd, Buffer.from('start'), 0, 5, 0);
  fs.writeSync(fd, Buffer.from('end'), 0, 3, 9 * 1024 * 1024);
  fs.closeSync(fd);
  fs.linkSync(path.join(root, 'plain.txt'), path.join(root, 'hardlink-to-plain'));
  fs.linkSync(path.join(root, 'plain.txt'), path.join(root, 'with space/second link'));
  fs.symlinkSync('plain.txt', path.join(root, 'symlink'));
  fs.symlinkSync('/absolute/dangling', path.join(root, 'dangling'));
  fs.symlinkSync(`../${'t'.repeat(150)}`, path.join(root, 'long-target'));
  w('xattr-file', 'x\n');
  await native.setXattrs([
    { path: path.join(root, 'xattr-file'), name: 'user.comment', value: Buffer.from('kept') },
    { path: path.join(root, 'bin/setuid'), name: 'security.capability', value: Buffer.from('0100000200200000000000000000000000000000', 'hex') },
  ]);
  if (isRoot) {
    fs.chownSync(w('owned-by-big-uid', 'uid\n'), 3_000_000, 3_000_001);
    fs.chownSync(path.join(root, 'plain.txt'), 1000, 1000);
    await native.mknod([
      { path: path.join(root, 'dev-null'), type: 'char', mode: 0o666, major: 1, minor: 3 },
      { path: path.join(root, 'dev-loop'), type: 'block', mode: 0o660, major: 7, minor: 0 },
      { path: path.join(root, 'fifo'), type: 'fifo', mode: 0o644, major: 0, minor: 0 },
    ]);
  }
  fs.mkdirSync(path.join(root, 'readonly-dir'));
  w('readonly-dir/inside', 'ro\n');
  fs.chmodSync(path.join(root, 'readonly-dir'), 0o555);
  fs.mkdirSync(path.join(root, 'empty-dir'), 0o700);
  // fixed times, deepest first so directory times stick
  const all: string[] = [];
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.lstatSync(p).isDirectory()) walk(p);
      all.push(p);
    }
  };
  walk(root);
  all.forEach((p, i) => touch(p, T0 + i));
}

/** A layer suite's fixture: a temp dir with the awkward tree at `src/` and a store at `store/`. */
export async function awkwardTreeAndStore(): Promise<{ tmp: ReturnType<typeof makeTempDir>; src: string; store: Store }> {
  const tmp = makeTempDir();
  const src = path.join(tmp.dir, 'src');
  fs.mkdirSync(src);
  await makeAwkwardTree(src);
  return { tmp, src, store: await Store.open(path.join(tmp.dir, 'store')) };
}
