import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { snapshotKindFor } from '../../../src/cli/snapshot/snapshot-files';
import { requireCommands, skipWith } from '../../helpers/capabilities';
import { REPO_ROOT } from '../../helpers/paths';
import { runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';

// The start-up snapshot (docs/run.md, "Start time"; src/cli/snapshot/): built for a copy of the
// package in a cache directory of this suite, used by bin/hoist's shell part only when it is the
// blob its stamp describes, and never changing what a command prints or returns.

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** bin/hoist's shell part exec'd node with the blob (seen in a second run with `sh -x`) */
  fromBlob: boolean;
}

/** A copy of the package (bin, package.json, dist/src's JavaScript; node_modules linked) that a test may change. */
function copyPackage(to: string): void {
  const src = path.join(REPO_ROOT, 'dist', 'src');
  for (const rel of fs.readdirSync(src, { recursive: true }) as string[]) {
    if (!rel.endsWith('.js')) continue;
    fs.mkdirSync(path.join(to, 'dist', 'src', path.dirname(rel)), { recursive: true });
    fs.copyFileSync(path.join(src, rel), path.join(to, 'dist', 'src', rel));
  }
  fs.mkdirSync(path.join(to, 'bin'));
  fs.copyFileSync(path.join(REPO_ROOT, 'bin', 'hoist'), path.join(to, 'bin', 'hoist'));
  fs.copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(to, 'package.json'));
  fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(to, 'node_modules'));
}

describe('hoist start-up snapshot', function () {
  this.timeout(120_000);
  let pkg: string;
  let cache: string;
  let store: string;
  let env: NodeJS.ProcessEnv;
  /** the blob of a heap: of every command but those with their own (`base`), or of `images` and its kin (`query`), ... */
  const blobOf = (kind = 'base'): string => {
    const prefix = `snapshot-${kind === 'base' ? '' : `${kind}-`}v`;
    return path.join(cache, fs.readdirSync(cache).find((f) => f.startsWith(prefix) && f.endsWith('.blob')) ?? 'none.blob');
  };
  const stampOf = (kind = 'base'): string => blobOf(kind).replace(/\.blob$/, '.stamp');

  /** `bin/hoist ARGS` as a user runs it (its shell part first), and again with `sh -x` to tell whether the blob was used. */
  const hoist = (args: string[], extra: NodeJS.ProcessEnv = {}): Run => {
    const bin = path.join(pkg, 'bin', 'hoist');
    const r = spawnSync(bin, args, { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
    const traced = spawnSync('sh', ['-x', bin, ...args], { env: { ...env, ...extra }, encoding: 'utf8', timeout: 60_000 });
    // the heap snapshotKindFor names: the shell part must pick the same
    const chosen = snapshotKindFor(args);
    const kind = `snapshot-${chosen === 'base' ? '' : `${chosen}-`}v`;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, fromBlob: new RegExp(`^\\+ exec \\S*node .*--snapshot-blob \\S*/${kind}`, 'm').test(traced.stderr) };
  };
  const build = (kind = 'base'): void => {
    const r = spawnSync(process.execPath, [path.join(pkg, 'dist/src/cli/snapshot/build-snapshot.js'), pkg, '--kind', kind], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'the build said why it made no snapshot');
  };
  const waitFor = (what: string, ok: () => boolean): void => {
    const until = Date.now() + 60_000;
    while (!ok()) {
      if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
      spawnSync('sleep', ['0.2']);
    }
  };

  before(async () => {
    const dir = fs.realpathSync(tmpDir('hoist-snapshot-'));
    pkg = path.join(dir, 'pkg');
    copyPackage(pkg);
    cache = path.join(dir, 'cache');
    store = path.join(dir, 'store');
    // no NODE_OPTIONS (mocha's own would keep the blob unused), this suite's cache and store
    env = { ...process.env, NODE_OPTIONS: '', HOIST_COMPILE_CACHE: cache, HOIST_ROOT: store, HOIST_SNAPSHOT: '' };
    const archive = path.join(dir, 'busybox.tar');
    await makeDockerArchive(archive, { tags: ['busybox:latest'], created: '2024-01-01T00:00:00Z' });
    assert.equal(hoist(['load', '-i', archive], { HOIST_SNAPSHOT: '0' }).status, 0);
    build();
    build('push');
    build('query');
  });

  it('is built as a file of the user alone (mode 0600), with a stamp naming this script and node', () => {
    assert.equal(fs.statSync(blobOf()).mode & 0o777, 0o600);
    const [script, node] = fs.readFileSync(stampOf(), 'utf8').split('\n');
    assert.equal(script, path.join(pkg, 'bin', 'hoist'));
    assert.equal(node, fs.realpathSync(process.execPath));
  });

  it('prints and exits exactly as the start from disk does', () => {
    const cases = [['images'], ['images', '--format', 'json'], ['inspect', 'busybox'], ['history', 'busybox'], ['--version'], ['--help'], ['images', '--bogus'], ['nosuch'], ['inspect', 'nosuch:1'], ['push', '--help'], ['push'], ['run', '--network', 'bogus', 'busybox']];
    for (const args of cases) {
      const disk = hoist(args, { HOIST_SNAPSHOT: '0' });
      const snap = hoist(args);
      assert.equal(disk.fromBlob, false, `HOIST_SNAPSHOT=0 hoist ${args.join(' ')}`);
      assert.equal(snap.fromBlob, true, `hoist ${args.join(' ')} did not start from the blob`);
      assert.deepEqual({ status: snap.status, stdout: snap.stdout, stderr: snap.stderr }, { status: disk.status, stdout: disk.stdout, stderr: disk.stderr }, `hoist ${args.join(' ')}`);
    }
    assert.notEqual(hoist(['inspect', 'nosuch:1']).status, 0);
  });

  it('starts `hoist build` from a heap of its own, with the same result', () => {
    build('build');
    const context = path.join(path.dirname(pkg), 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, 'Dockerfile'), 'FROM busybox\nENV A=1\nCMD ["true"]\n');
    const args = ['build', '-q', '-t', 'app:1', context];
    const disk = hoist(args, { HOIST_SNAPSHOT: '0' });
    assert.equal(disk.status, 0, disk.stderr);
    const snap = hoist(args);
    assert.equal(snap.fromBlob, true);
    assert.deepEqual({ status: snap.status, stdout: snap.stdout, stderr: snap.stderr }, { status: disk.status, stdout: disk.stdout, stderr: disk.stderr });
    assert.match(snap.stdout, /^sha256:[0-9a-f]{64}\n$/);
  });

  it('runs `hoist run` with no module of hoist read from disk before runc, only native addons (koffi)', async function () {
    const why = await runtimeUnavailable();
    if (why !== undefined) skipWith(this, why);
    requireCommands(this, 'strace');
    const trace = path.join(path.dirname(pkg), 'run.strace');
    const bin = path.join(pkg, 'bin', 'hoist');
    // the first run unpacks the layer (the layer area is loaded from disk for that, once)
    assert.equal(hoist(['run', '--rm', 'busybox', 'true']).status, 0);
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat,execve', '-o', trace, bin, 'run', '--rm', 'busybox', 'true'], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = fs.readFileSync(trace, 'utf8').split('\n');
    assert.ok(lines.some((l) => /execve\(.*--snapshot-blob/.test(l)), 'hoist run did not start from the blob');
    const runc = lines.findIndex((l) => /execve\("[^"]*runc"/.test(l));
    assert.ok(runc > 0, 'runc was not run');
    const fromDisk = lines.slice(0, runc).flatMap((l) => /openat\(.*"([^"]+\.(?:js|cjs|json))".* = \d+$/.exec(l)?.[1] ?? []).filter((f) => f.startsWith(path.join(pkg, 'dist')));
    assert.deepEqual(fromDisk, []);
  });

  it('is not used with NODE_OPTIONS set (its V8 flags would not match the blob)', () => {
    const r = hoist(['--version'], { NODE_OPTIONS: '--no-warnings' });
    assert.equal(r.fromBlob, false);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  /** A start without the blob builds it again in the background: wait until it is done. */
  const rebuilt = (before: string, kind = 'base'): void =>
    waitFor('the blob built again', () => fs.existsSync(stampOf(kind)) && fs.readFileSync(stampOf(kind), 'utf8') !== before && !fs.readdirSync(cache).some((f) => f.endsWith('.lock')));
  const identity = (file: string): string => {
    const st = fs.statSync(file);
    return `${(st.mode & 0o7777).toString(8)} ${st.dev}.${st.ino}.${st.size}.${Math.floor(st.mtimeMs / 1000)}.${Math.floor(st.ctimeMs / 1000)}`;
  };

  it('ignores a blob changed after its build (corrupt), and builds it again', () => {
    const blob = blobOf('query');
    const stamp = fs.readFileSync(stampOf('query'), 'utf8');
    const bad = fs.readFileSync(blob);
    bad.fill(0x5a, bad.length >> 1, (bad.length >> 1) + 4096);
    fs.writeFileSync(blob, bad); // same size, same mode
    const r = hoist(['images']);
    assert.equal(r.fromBlob, false, 'a corrupt blob was run');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^REPOSITORY/);
    rebuilt(stamp, 'query');
    assert.equal(hoist(['images']).fromBlob, true);
  });

  it('ignores a blob that others may write', () => {
    const blob = blobOf('query');
    const lines = fs.readFileSync(stampOf('query'), 'utf8').split('\n');
    // group-writable, with a stamp that matches it: only the mode check can refuse it
    fs.chmodSync(blob, 0o620);
    lines[2] = identity(blob);
    fs.writeFileSync(stampOf('query'), lines.join('\n'));
    const r = hoist(['images']);
    assert.equal(r.fromBlob, false, 'a blob that others may write was run');
    assert.equal(r.status, 0, r.stderr);
    fs.chmodSync(blob, 0o600);
    lines[2] = identity(blob);
    fs.writeFileSync(stampOf('query'), lines.join('\n'));
    assert.equal(hoist(['images']).fromBlob, true, 'the same blob, private again, was refused: the test proves nothing');
  });

  it('ignores a blob built by another node binary', () => {
    const lines = fs.readFileSync(stampOf(), 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/\.(\d+)$/, (_m, ctime: string) => `.${Number(ctime) - 1}`); // the binary was replaced since
    fs.writeFileSync(stampOf(), lines.join('\n'));
    const r = hoist(['--version']);
    assert.equal(r.fromBlob, false);
    assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
    rebuilt(lines.join('\n'));
    assert.equal(hoist(['--version']).fromBlob, true);
  });

  it('runs the changed modules from disk, not the old ones of the heap, when dist changed after the build, and builds again', () => {
    const main = path.join(pkg, 'dist/src/cli/main.js');
    const source = fs.readFileSync(main, 'utf8');
    const old = /const VERSION = '([^']+)'/.exec(source)![1]!;
    fs.writeFileSync(main, source.replace(`const VERSION = '${old}'`, `const VERSION = '${old.replace(/\d/g, '9')}'`));
    const before = fs.statSync(blobOf()).mtimeMs;
    const r = hoist(['--version']);
    assert.equal(r.fromBlob, true);
    assert.equal(r.stdout, `${old.replace(/\d/g, '9')}\n`);
    waitFor('a new blob', () => fs.existsSync(stampOf()) && fs.statSync(blobOf()).mtimeMs !== before && !fs.readdirSync(cache).some((f) => f.endsWith('.lock')));
    const next = hoist(['--version']);
    assert.equal(next.fromBlob, true);
    assert.equal(next.stdout, `${old.replace(/\d/g, '9')}\n`);
  });

  it('is not built when a module of it reads the process state as it loads (the heap would keep the builder\'s)', () => {
    const format = path.join(pkg, 'dist/src/cli/render/format.js');
    const source = fs.readFileSync(format, 'utf8');
    try {
      fs.writeFileSync(format, `${source}\nconst STARTED_BY = process.pid;\n`);
      const r = spawnSync(process.execPath, [path.join(pkg, 'dist/src/cli/snapshot/build-snapshot.js'), pkg], { env, encoding: 'utf8' });
      assert.match(r.stderr, /no start-up snapshot .*format\.js: const STARTED_BY = process\.pid/);
      assert.match(fs.readFileSync(stampOf().replace(/\.stamp$/, '.failed'), 'utf8'), /STARTED_BY/);
    } finally {
      fs.writeFileSync(format, source);
    }
    build();
    assert.equal(fs.existsSync(stampOf().replace(/\.stamp$/, '.failed')), false);
  });

  it('removes, when it builds one, the blobs of a package root that is gone or of a replaced node binary', () => {
    const ours = fs.readFileSync(stampOf(), 'utf8').split('\n');
    const dead = (name: string, lines: string[]): string => {
      fs.writeFileSync(path.join(cache, `${name}.stamp`), lines.join('\n'));
      fs.writeFileSync(path.join(cache, `${name}.blob`), 'x');
      return name;
    };
    const gone = dead('snapshot-v0.0.0-x64-00000001', ['/nonexistent/bin/hoist', ...ours.slice(1)]);
    const replaced = dead('snapshot-v0.0.0-x64-00000002', [ours[0]!, ours[1]!, ours[2]!, '755 1.2.3.4.5', '']);
    build();
    const left = fs.readdirSync(cache);
    assert.deepEqual(left.filter((f) => f.startsWith(gone) || f.startsWith(replaced)), []);
    assert.ok(left.includes(path.basename(stampOf())), 'our own stamp went too');
  });

  it('is not built in a cache directory that others may write (its manifest would become our code)', () => {
    fs.chmodSync(cache, 0o777);
    try {
      const r = spawnSync(process.execPath, [path.join(pkg, 'dist/src/cli/snapshot/build-snapshot.js'), pkg, '--kind', 'base'], { env, encoding: 'utf8' });
      assert.match(r.stderr, /no start-up snapshot .*not a directory of this user alone \(mode 777\)/);
    } finally {
      fs.chmodSync(cache, 0o700);
    }
  });

  it('is built in the background after a start that had none (node bin/hoist too)', () => {
    for (const f of fs.readdirSync(cache)) if (f.startsWith('snapshot-')) fs.rmSync(path.join(cache, f));
    const r = spawnSync(process.execPath, [path.join(pkg, 'bin', 'hoist'), '--version'], { env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    waitFor('the blob a start without one builds', () => fs.existsSync(stampOf()) && !fs.readdirSync(cache).some((f) => f.endsWith('.lock')));
    assert.equal(hoist(['--version']).fromBlob, true);
    assert.deepEqual(fs.readdirSync(cache).filter((f) => /\.(failed|tmp|json|entry\.js)$|\.\d+$/.test(f)), []);
  });
});
