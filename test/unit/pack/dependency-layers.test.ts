import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeLayer } from '../../../src/layer/write-layer';
import { bucketOf, planDependencyLayers } from '../../../src/pack/dependency-layers';
import { MemoryContentStore } from '../../../src/store/memory-content-store';
import { tmpDir } from '../../helpers/tmp';

const POLICY = { uid: 0, gid: 0, mtime: 1_700_000_000 };

/** An installed tree of `n` packages (some scoped, some with nested node_modules), as arborist lays it out. */
function fakeTree(n: number): string {
  const app = tmpDir('hoist-pack-tree-');
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
    fs.writeFileSync(path.join(app, rel), text);
  };
  for (let i = 0; i < n; i++) {
    const name = i % 10 === 0 ? `@scope/pkg-${i}` : `pkg-${i}`;
    write(`node_modules/${name}/package.json`, JSON.stringify({ name, version: '1.0.0' }));
    write(`node_modules/${name}/index.js`, `module.exports = ${i};\n`);
    if (i % 7 === 0) write(`node_modules/${name}/node_modules/inner/index.js`, 'module.exports = 0;\n');
  }
  write('node_modules/.package-lock.json', '{}\n');
  fs.mkdirSync(path.join(app, 'node_modules', '.bin'));
  fs.symlinkSync('../pkg-1/index.js', path.join(app, 'node_modules', '.bin', 'pkg-1'));
  return app;
}

async function digests(app: string): Promise<Map<string, string>> {
  const store = new MemoryContentStore();
  const plan = planDependencyLayers(app, [], POLICY);
  const out = new Map<string, string>();
  for (const l of plan.layers) out.set(l.name, (await writeLayer(store, l.entries, { sourceDateEpoch: POLICY.mtime })).descriptor.digest);
  return out;
}

describe('pack: dependency layers', () => {
  it('split a large tree into buckets by name, each package (nested modules included) in exactly one', () => {
    const app = fakeTree(180);
    const plan = planDependencyLayers(app, [], POLICY);
    assert.deepEqual(plan.layers.map((l) => l.name), ['dependencies 1/4', 'dependencies 2/4', 'dependencies 3/4', 'dependencies 4/4', 'dependency tree']);
    assert.equal(plan.layers.reduce((n, l) => n + l.packages, 0), 180);
    const files = plan.layers.flatMap((l) => l.entries.filter((e) => e.stats?.isFile()).map((e) => e.name));
    assert.equal(new Set(files).size, files.length);
    const bucket = plan.layers[bucketOf('@scope/pkg-70', 4)]!;
    assert.ok(bucket.entries.some((e) => e.name === 'app/node_modules/@scope/pkg-70/node_modules/inner/index.js'));
    assert.ok(plan.layers[4]!.entries.some((e) => e.name === 'app/node_modules/.bin/pkg-1'));
    for (const l of plan.layers) for (const e of l.entries) assert.deepEqual([e.override?.uid, e.override?.gid, e.override?.mtime], [0, 0, POLICY.mtime]);
  });

  it('a one-package upgrade changes its bucket and the tree layer only; the same tree gives the same bytes', async () => {
    const app = fakeTree(180);
    const before = await digests(app);
    assert.deepEqual(await digests(app), before);
    fs.writeFileSync(path.join(app, 'node_modules', 'pkg-42', 'index.js'), 'module.exports = "upgraded";\n');
    fs.writeFileSync(path.join(app, 'node_modules', '.package-lock.json'), '{"upgraded":true}\n');
    const after = await digests(app);
    const changed = [...after.keys()].filter((k) => after.get(k) !== before.get(k));
    assert.deepEqual(changed, [`dependencies ${bucketOf('pkg-42', 4) + 1}/4`, 'dependency tree']);
  });

  it('a small tree is one dependency layer; no node_modules, no layers', () => {
    assert.deepEqual(planDependencyLayers(fakeTree(12), [], POLICY).layers.map((l) => l.name), ['dependencies', 'dependency tree']);
    assert.deepEqual(planDependencyLayers(tmpDir('hoist-pack-empty-'), [], POLICY).layers, []);
  });
});
