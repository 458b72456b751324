import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { skipWith } from '../../helpers/capabilities';

// Each case runs in a child node: the cache hooks the module loader of the process it is installed in.
const MODULE = path.resolve(__dirname, '../../../src/cli/compile-cache.js');
const NODE_OWN = 'Node >= 22.1 caches compiled code itself (module.enableCompileCache); hoist\'s cache is not used';

function run(root: string, cacheDir: string, entry: string): { stats: { kind: string; hits: number; misses: number }; value: unknown } {
  const script = `const s = require(${JSON.stringify(MODULE)}).installCompileCache(${JSON.stringify(root)});
    const value = require(${JSON.stringify(entry)});
    process.stdout.write(JSON.stringify({ stats: s, value }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, HOIST_COMPILE_CACHE: cacheDir }, encoding: 'utf8' })) as never;
}

describe('cli/compile-cache', function () {
  this.timeout(20000);
  let dir: string;
  let root: string;
  let cacheDir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-compile-cache-'));
    root = path.join(dir, 'pkg');
    cacheDir = path.join(dir, 'cache');
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'a.js'), "const b = require('./b'); module.exports = { a: 1, b, dir: __dirname === require('path').dirname(__filename), resolved: require.resolve('./b') };");
    fs.writeFileSync(path.join(root, 'b.js'), 'module.exports = 2;');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('compiles from source first, from the cache next, with the same results', function () {
    const first = run(root, cacheDir, path.join(root, 'a.js'));
    if (first.stats.kind === 'node') skipWith(this, NODE_OWN);
    assert.deepEqual(first.stats, { kind: 'hoist', hits: 0, misses: 2 });
    assert.deepEqual(first.value, { a: 1, b: 2, dir: true, resolved: path.join(root, 'b.js') });
    const cacheFile = fs.readdirSync(cacheDir);
    assert.equal(cacheFile.length, 1);
    assert.equal(fs.statSync(path.join(cacheDir, cacheFile[0]!)).mode & 0o777, 0o600);
    const second = run(root, cacheDir, path.join(root, 'a.js'));
    assert.deepEqual(second.stats, { kind: 'hoist', hits: 2, misses: 0 });
    assert.deepEqual(second.value, first.value);
  });

  it('compiles a changed file from source, never its old code', function () {
    if (run(root, cacheDir, path.join(root, 'a.js')).stats.kind === 'node') skipWith(this, NODE_OWN);
    fs.writeFileSync(path.join(root, 'b.js'), 'module.exports = 3;'); // same size: only the mtime tells
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(root, 'b.js'), later, later);
    const after = run(root, cacheDir, path.join(root, 'a.js'));
    assert.deepEqual(after.stats, { kind: 'hoist', hits: 1, misses: 1 });
    assert.equal((after.value as { b: number }).b, 3);
  });

  it('ignores a cache file that others may write, and is off with HOIST_COMPILE_CACHE=0', function () {
    if (run(root, cacheDir, path.join(root, 'a.js')).stats.kind === 'node') skipWith(this, NODE_OWN);
    const file = path.join(cacheDir, fs.readdirSync(cacheDir)[0]!);
    fs.chmodSync(file, 0o666);
    assert.deepEqual(run(root, cacheDir, path.join(root, 'a.js')).stats, { kind: 'hoist', hits: 0, misses: 2 });
    assert.equal(run(root, '0', path.join(root, 'a.js')).stats.kind, 'off');
  });

  it('runs import() in a cached module as node would', function () {
    fs.writeFileSync(path.join(root, 'dyn.js'), "module.exports = import('node:path').then((m) => typeof m.join);");
    const script = `require(${JSON.stringify(MODULE)}).installCompileCache(${JSON.stringify(root)});
      require(${JSON.stringify(path.join(root, 'dyn.js'))}).then((t) => process.stdout.write(t), (e) => process.stdout.write(String(e)));`;
    const once = (): string => execFileSync(process.execPath, ['-e', script], { env: { ...process.env, HOIST_COMPILE_CACHE: cacheDir }, encoding: 'utf8' });
    assert.equal(once(), 'function'); // compiled from source
    assert.equal(once(), 'function'); // from the cache (or by node, where it keeps import() to itself)
  });

  it('leaves modules outside the root to node', function () {
    const other = path.join(dir, 'other.js');
    fs.writeFileSync(other, 'module.exports = 5;');
    const r = run(root, cacheDir, other);
    if (r.stats.kind === 'node') skipWith(this, NODE_OWN);
    assert.deepEqual(r.stats, { kind: 'hoist', hits: 0, misses: 0 });
    assert.equal(r.value, 5);
  });
});
