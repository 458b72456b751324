import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createContextOps, type SourceTree } from '../../../../src/build/context';
import { parseChmod } from '../../../../src/dockerfile/instructions/copy-values';
import { StatCache } from '../../../../src/build/context/stat-cache';
import { IgnoreMatcher } from '../../../../src/dockerfile/ignore';
import { tmpDir } from '../../../helpers/tmp';
import { makeTree, req, rootfs } from './helpers';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150)); // past the stat cache's racy window

describe('build context: content hashes for cache keys', () => {
  it('covers names, types, modes, owners, link targets and content, never mtimes', async () => {
    const ops = createContextOps();
    const root = makeTree({ 'src/a.js': 'a', 'src/b.js': 'b', 'src/l': { link: 'a.js' }, other: 'o' });
    const tree: SourceTree = { root, kind: 'context' };
    const r = req(['src'], '/app/');
    const base = (await ops.hashSources(tree, r)).digest;
    const again = async (): Promise<string> => (await ops.hashSources(tree, r)).digest;
    assert.equal(await again(), base);
    fs.utimesSync(path.join(root, 'src/a.js'), 1000, 1000);
    assert.equal(await again(), base, 'an mtime alone changes nothing');
    fs.writeFileSync(path.join(root, 'other'), 'changed');
    assert.equal(await again(), base, 'a file outside the selection changes nothing');
    const copied = await ops.copyInto(tree, r, rootfs());
    assert.equal(copied.digest, base, 'copyInto reports the digest hashSources gave');

    const variants: [string, () => void, () => void][] = [
      ['content', () => fs.writeFileSync(path.join(root, 'src/b.js'), 'B'), () => fs.writeFileSync(path.join(root, 'src/b.js'), 'b')],
      ['mode', () => fs.chmodSync(path.join(root, 'src/b.js'), 0o755), () => fs.chmodSync(path.join(root, 'src/b.js'), 0o644)],
      ['link target', () => (fs.unlinkSync(path.join(root, 'src/l')), fs.symlinkSync('b.js', path.join(root, 'src/l'))), () => (fs.unlinkSync(path.join(root, 'src/l')), fs.symlinkSync('a.js', path.join(root, 'src/l')))],
      ['name', () => fs.renameSync(path.join(root, 'src/b.js'), path.join(root, 'src/c.js')), () => fs.renameSync(path.join(root, 'src/c.js'), path.join(root, 'src/b.js'))],
      ['new file', () => fs.writeFileSync(path.join(root, 'src/n'), ''), () => fs.unlinkSync(path.join(root, 'src/n'))],
    ];
    for (const [what, change, undo] of variants) {
      change();
      assert.notEqual(await again(), base, `${what} must change the digest`);
      undo();
      assert.equal(await again(), base, `undoing the ${what} change restores the digest`);
    }
    const withOwner = (await ops.hashSources(tree, { ...r, owner: { uid: 1, gid: 1 } })).digest;
    const withChmod = (await ops.hashSources(tree, { ...r, chmod: parseChmod('700') })).digest;
    const fromStage = (await ops.hashSources({ ...tree, kind: 'stage' }, { ...r, owner: { uid: 0, gid: 0 } })).digest;
    assert.equal(new Set([base, withOwner, withChmod]).size, 3);
    assert.equal(fromStage, base, 'the same files with the same owner hash the same from any tree');
    const ignored = (await ops.hashSources({ ...tree, ignore: new IgnoreMatcher(['src/b.js']) }, r)).digest;
    assert.notEqual(ignored, base, 'what .dockerignore hides is not selected');
  });

  it('keeps a stat cache on disk so an unchanged 10,000-file context is not read again', async function () {
    this.timeout(120_000);
    const root = tmpDir('hoist-ctx-big-');
    for (let d = 0; d < 100; d++) {
      fs.mkdirSync(path.join(root, `d${d}`));
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(root, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`.repeat(20));
    }
    await settle();
    const cacheDir = tmpDir('hoist-cache-');
    const tree: SourceTree = { root, kind: 'context' };
    const r = req(['.'], '/app/');
    let t = process.hrtime.bigint();
    const cold = await createContextOps({ cacheDir }).hashSources(tree, r);
    const coldMs = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal(cold.contentReads, 10_000);
    assert.equal(cold.entries, 10_100);
    assert.equal(fs.readdirSync(path.join(cacheDir, 'context-stat')).filter((f) => f.endsWith('.json')).length, 1, 'one file per context root, no temp left');
    t = process.hrtime.bigint();
    const warm = await createContextOps({ cacheDir }).hashSources(tree, r);
    const warmMs = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal(warm.contentReads, 0, 'a new process reads no file content');
    assert.equal(warm.digest, cold.digest);
    console.log(`      10,000 files: cold ${coldMs.toFixed(0)} ms, warm (stat cache) ${warmMs.toFixed(0)} ms`);
    fs.writeFileSync(path.join(root, 'd7/f7.txt'), 'edited');
    await settle();
    const edited = await createContextOps({ cacheDir }).hashSources(tree, r);
    assert.equal(edited.contentReads, 1);
    assert.notEqual(edited.digest, cold.digest);
  });

  it('drops stat cache rows no save used for a while (files gone or never selected again)', async () => {
    const root = makeTree({ a: 'a', b: 'b' });
    await settle();
    const file = path.join(tmpDir('hoist-cache-'), 'x.json');
    const st = (rel: string): fs.BigIntStats => fs.lstatSync(path.join(root, rel), { bigint: true });
    const first = new StatCache(root, file, 2);
    first.set('a', st('a'), 'aa');
    first.set('b', st('b'), 'bb');
    await first.save();
    for (let i = 0; i < 2; i++) {
      const c = new StatCache(root, file, 2);
      assert.equal(c.get('a', st('a')), 'aa');
      c.set('n', st('b'), 'new');
      await c.save();
    }
    const last = new StatCache(root, file, 2);
    assert.equal(last.get('a', st('a')), 'aa', 'a row in use stays');
    assert.equal(last.get('b', st('b')), undefined, 'a row unused for 2 saves is gone');
  });

  it('starts over from a torn or foreign stat cache file', async () => {
    const root = makeTree({ a: 'a' });
    await settle();
    const cacheDir = tmpDir('hoist-cache-');
    const tree: SourceTree = { root, kind: 'context' };
    const first = await createContextOps({ cacheDir }).hashSources(tree, req(['a'], '/'));
    const [file] = fs.readdirSync(path.join(cacheDir, 'context-stat'));
    fs.writeFileSync(path.join(cacheDir, 'context-stat', file!), '{"version":1,"entr');
    const second = await createContextOps({ cacheDir }).hashSources(tree, req(['a'], '/'));
    assert.equal(second.contentReads, 1);
    assert.equal(second.digest, first.digest);
  });
});
