import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { applyLayer, diffTrees, diffUpperDir, packEntries, type PackEntry } from '../../../src/layer';
import { copyTree, OVERLAY_FLAGS, withMount } from '../../../src/snapshot';
import { defaultNativeOps } from '../../../src/layer';
import { describeTree, makeTempDir, requireOverlay, touch } from '../../helpers/layer-tree';

const T0 = 1_500_000_000;
const EPOCH = 1_700_000_000; // after the lower tree's times, before "now": clamps only what changed

async function tarBytes(entries: PackEntry[]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(packEntries(entries, { sourceDateEpoch: EPOCH }), async (src: AsyncIterable<Buffer>) => {
    for await (const c of src) out.push(c);
  });
  return Buffer.concat(out);
}

function makeLower(root: string): void {
  const w = (p: string, s: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), s);
  };
  w('etc/passwd', 'root:x:0:0\n');
  w('etc/hosts', '127.0.0.1 localhost\n');
  w('usr/bin/tool', '#!/bin/sh\n');
  w('usr/share/doc/a/README', 'a\n');
  w('usr/share/doc/b/README', 'b\n');
  w('var/lib/state', 'old\n');
  w('opt/app/config', 'cfg\n');
  w('opt/app/data/x', 'x\n');
  w('srv/file-to-dir', 'was a file\n');
  const walk = (d: string): void => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.lstatSync(p).isDirectory()) walk(p);
      touch(p, T0);
    }
  };
  walk(root);
}

/** Changes a RUN step could make; the same on both trees. */
async function changeSimple(root: string): Promise<void> {
  fs.writeFileSync(path.join(root, 'etc/hosts'), '127.0.0.1 localhost hoist\n');
  fs.chmodSync(path.join(root, 'usr/bin/tool'), 0o755);
  fs.rmSync(path.join(root, 'var/lib/state'));
  fs.rmSync(path.join(root, 'usr/share/doc/b'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/local/lib/new'), { recursive: true });
  fs.writeFileSync(path.join(root, 'usr/local/lib/new/lib.so'), 'elf');
  fs.symlinkSync('lib.so', path.join(root, 'usr/local/lib/new/lib.so.1'));
  fs.writeFileSync(path.join(root, 'etc/linked'), 'shared');
  fs.linkSync(path.join(root, 'etc/linked'), path.join(root, 'etc/linked2'));
  await defaultNativeOps().setXattrs([{ path: path.join(root, 'etc/passwd'), name: 'user.tag', value: Buffer.from('v') }]);
}

/** Changes whose overlay form uses an opaque directory. */
function changeOpaque(root: string): void {
  fs.rmSync(path.join(root, 'opt/app'), { recursive: true });
  fs.mkdirSync(path.join(root, 'opt/app'));
  fs.writeFileSync(path.join(root, 'opt/app/fresh'), 'fresh');
  fs.rmSync(path.join(root, 'srv/file-to-dir'));
  fs.mkdirSync(path.join(root, 'srv/file-to-dir'));
}

describe('diff conformance: overlay upper dir and tree compare', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  before(async function () {
    await requireOverlay(this);
  });
  beforeEach(() => {
    tmp = makeTempDir('hoist-conf-');
  });
  afterEach(() => tmp?.cleanup());

  async function bothWays(change: (root: string) => void | Promise<void>): Promise<{ upper: PackEntry[]; compare: PackEntry[]; lower: string }> {
    const [lower, upper, work, copy] = ['lower', 'upper', 'work', 'copy'].map((d) => path.join(tmp.dir, d)) as [string, string, string, string];
    for (const d of [lower, upper, work, copy]) fs.mkdirSync(d);
    makeLower(lower);
    await copyTree(lower, copy);
    const options = [...OVERLAY_FLAGS, `lowerdir=${lower}`, `upperdir=${upper}`, `workdir=${work}`];
    await withMount([{ type: 'overlay', source: 'overlay', options }], async (merged) => change(merged));
    await change(copy);
    return { upper: await diffUpperDir(upper), compare: await diffTrees(lower, copy), lower };
  }

  it('writes byte-identical tars for the same change', async () => {
    const { upper, compare } = await bothWays(changeSimple);
    assert.deepEqual(
      upper.map((e) => e.name),
      compare.map((e) => e.name),
    );
    assert.ok(upper.some((e) => e.name === 'var/lib/.wh.state'));
    assert.ok(upper.some((e) => e.name === 'usr/share/doc/.wh.b'));
    assert.ok(upper.some((e) => e.name === 'usr/share' && e.stats?.isDirectory()), 'parent directories are included');
    assert.ok((await tarBytes(upper)).equals(await tarBytes(compare)), 'tars differ');
  });

  it('gives the same tree after apply when overlay writes an opaque directory', async () => {
    const { upper, compare, lower } = await bothWays(changeOpaque);
    assert.ok(upper.some((e) => e.name === 'opt/app/.wh..wh..opq'));
    const trees = [];
    for (const [i, entries] of [upper, compare].entries()) {
      const root = path.join(tmp.dir, `applied-${i}`);
      fs.mkdirSync(root);
      await copyTree(lower, root);
      await applyLayer(Readable.from([await tarBytes(entries)]), root);
      trees.push(await describeTree(root));
    }
    assert.deepEqual(trees[0], trees[1]);
    assert.ok(!trees[0]?.some((r) => r.path === 'opt/app/config'), 'lower content of the opaque dir is hidden');
  });
});
