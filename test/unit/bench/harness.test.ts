import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { ensureImageFixture } from '../../../bench/fixtures/image-fixture';
import { makeImage } from '../../../bench/fixtures/make-image';
import { daemonPaths } from '../../../bench/harness/docker-daemon';
import { measureCommand } from '../../../bench/harness/measure-command';
import { parseArgs } from '../../../bench/harness/parse-args';
import { renderResults } from '../../../bench/harness/render-results';
import type { ProcessWorkloadResult } from '../../../bench/harness/results';
import { runBench, selectWorkloads } from '../../../bench/harness/run-bench';
import { ratio, summarize } from '../../../bench/harness/stats';
import { defineInProcessWorkload, defineProcessWorkload, type BenchContext } from '../../../bench/harness/types';
import { skipWith } from '../../helpers/capabilities';

const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

interface TarFile {
  sha256: string;
  size: number;
  text?: string;
  /** Regular files inside, when the file is itself a tar (a layer). */
  innerFiles?: number;
}

async function countTarFiles(stream: AsyncIterable<Buffer>): Promise<number> {
  let files = 0;
  for await (const entry of Readable.from(stream).pipe(extract())) {
    if (entry.header.type === 'file') files++;
    entry.resume();
  }
  return files;
}

/** Every file of a docker-archive with its sha256; layer tars are parsed to count their files. */
async function readArchive(path: string): Promise<Map<string, TarFile>> {
  const files = new Map<string, TarFile>();
  const { createReadStream } = await import('node:fs');
  for await (const entry of createReadStream(path).pipe(extract())) {
    if (entry.header.type !== 'file') { entry.resume(); continue; }
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    const isLayer = entry.header.name.endsWith('/layer.tar');
    const inner = new Readable({ read() {} });
    const counted = isLayer ? countTarFiles(inner) : Promise.resolve(undefined);
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      hash.update(chunk);
      if (isLayer) inner.push(chunk);
      else chunks.push(chunk);
    }
    inner.push(null);
    files.set(entry.header.name, {
      sha256: hash.digest('hex'),
      size: entry.header.size,
      ...(isLayer ? { innerFiles: await counted } : { text: Buffer.concat(chunks).toString('utf8') }),
    });
  }
  return files;
}

describe('bench harness', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hoist-bench-test-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('summarizes samples: median (odd and even), min, max', () => {
    assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, count: 3 });
    assert.deepEqual(summarize([4, 1, 3, 2]), { median: 2.5, min: 1, max: 4, count: 4 });
    assert.deepEqual(summarize([7]), { median: 7, min: 7, max: 7, count: 1 });
    assert.throws(() => summarize([]));
  });

  it('computes hoist/peer ratios and never invents one', () => {
    assert.equal(ratio(1, 4), 0.25);
    assert.equal(ratio(undefined, 4), undefined);
    assert.equal(ratio(1, undefined), undefined);
    assert.equal(ratio(1, 0), undefined);
  });

  it('parses the command line', () => {
    assert.deepEqual(parseArgs([]), { names: [], runs: 5, warmup: 1, quick: false, list: false });
    assert.deepEqual(parseArgs(['load', '--runs', '3', '--warmup=0', '--quick', 'save']),
      { names: ['load', 'save'], runs: 3, warmup: 0, quick: true, list: false });
    assert.throws(() => parseArgs(['--runs', '0']), /at least 1/);
    assert.throws(() => parseArgs(['--bogus']), /unknown option/);
  });

  it('writes a valid docker-archive in quick mode: manifest names files that exist, diff_ids match', async () => {
    const ctx: BenchContext = { workDir: dir, repoRoot: REPO_ROOT, quick: true, log: () => undefined };
    const image = await ensureImageFixture(ctx);
    const files = await readArchive(image.archive);
    const manifest = JSON.parse(files.get('manifest.json')!.text!) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    assert.equal(manifest.length, 1);
    const [m] = manifest;
    assert.deepEqual(m!.RepoTags, [image.reference]);
    assert.ok(files.has(m!.Config), `config ${m!.Config} is in the archive`);
    assert.equal(`sha256:${files.get(m!.Config)!.sha256}`, image.configDigest);
    const config = JSON.parse(files.get(m!.Config)!.text!) as { os: string; architecture: string; history: unknown[]; rootfs: { type: string; diff_ids: string[] } };
    assert.equal(config.os, 'linux');
    assert.ok(config.architecture);
    assert.equal(config.rootfs.type, 'layers');
    assert.equal(m!.Layers.length, 3);
    assert.equal(config.history.length, 3);
    const layers = m!.Layers.map((name) => files.get(name));
    assert.ok(layers.every(Boolean), 'every layer named by manifest.json is in the archive');
    assert.deepEqual(config.rootfs.diff_ids, layers.map((l) => `sha256:${l!.sha256}`));
    const regular = layers.reduce((n, l) => n + l!.innerFiles!, 0);
    assert.ok(regular >= 400 && regular < 420, `${regular} files (400 planned + 1 whiteout)`);
    assert.ok(files.has('repositories'));
    assert.deepEqual(await ensureImageFixture(ctx), image, 'the second call reuses the cached archive');
  });

  it('generates the same bytes every time', async () => {
    const a = await makeImage({ out: join(dir, 'a.tar'), totalBytes: 1 << 20, files: 50 });
    const b = await makeImage({ out: join(dir, 'b.tar'), totalBytes: 1 << 20, files: 50 });
    assert.deepEqual(a.diffIds, b.diffIds);
    assert.equal(a.configDigest, b.configDigest);
  });

  for (const method of ['gnu-time', 'proc-poll']) {
    it(`measures peak RSS of a child and its children (${method})`, async function () {
      if (method === 'gnu-time' && !existsSync('/usr/bin/time')) skipWith(this, 'needs /usr/bin/time (Debian package time)');
      const saved = process.env.HOIST_BENCH_RSS;
      process.env.HOIST_BENCH_RSS = method;
      try {
        // the parent stays small; its child holds 96 MiB for a moment
        const script = "require('child_process').execFileSync(process.execPath, ['-e', 'const b = Buffer.alloc(96 << 20, 1); setTimeout(() => b, 300)'])";
        const m = await measureCommand({ argv: [process.execPath, '-e', script] }, { logFile: join(dir, 'log') });
        assert.ok(m.peakRssKiB / 1024 > 96, `peak ${m.peakRssKiB} KiB`);
        assert.ok(m.seconds > 0.3);
        await assert.rejects(measureCommand({ argv: [process.execPath, '-e', 'process.exit(3)'] }, { logFile: join(dir, 'log') }), /exit 3/);
      } finally {
        if (saved === undefined) delete process.env.HOIST_BENCH_RSS;
        else process.env.HOIST_BENCH_RSS = saved;
      }
    });
  }

  it('rejects unknown workload names', () => {
    assert.throws(() => selectWorkloads([], ['nope']), /unknown workload nope/);
  });

  it('runs cases A B A B with hooks, measures RSS, and reports missing tools as such', async () => {
    // a stand-in repository whose "hoist" allocates 64 MiB, to exercise the hoist case and ratios
    const repoRoot = join(dir, 'repo');
    mkdirSync(join(repoRoot, 'bin'), { recursive: true });
    mkdirSync(join(repoRoot, 'dist/src/cli'), { recursive: true });
    copyFileSync(join(REPO_ROOT, 'bin/hoist'), join(repoRoot, 'bin/hoist'));
    writeFileSync(join(repoRoot, 'package.json'), '{"version":"0.0.0-test"}');
    writeFileSync(join(repoRoot, 'dist/src/cli/main.js'), 'exports.main = async () => { Buffer.alloc(64 << 20, 1); return 0; };\n');
    writeFileSync(join(repoRoot, 'dist/src/cli/start.js'), "exports.start = () => { require('./main.js').main(); };\n");
    const order: string[] = [];
    const synthetic = defineProcessWorkload<{ n: number }>({
      kind: 'process',
      name: 'synthetic',
      description: 'stand-in',
      setup: async () => ({ n: 1 }),
      cases: [
        { label: 'hoist', tool: 'hoist', before: async (r) => { order.push(`hoist ${r.run}`); }, command: (r) => ({ argv: r.tool('hoist') }) },
        {
          label: 'node',
          tool: 'node',
          prepare: async () => { order.push('prepare node'); },
          before: async (r) => { order.push(`node ${r.run}`); },
          command: (r) => ({ argv: [...r.tool('node'), '-e', 'Buffer.alloc(16 << 20, 1)'] }),
        },
        { label: 'absent', tool: 'absent', command: (r) => ({ argv: r.tool('absent') }) },
        { label: 'needs absent', tool: 'node', needs: ['absent'], command: (r) => ({ argv: r.tool('node') }) },
      ],
    });
    const figures = defineInProcessWorkload<undefined>({
      kind: 'in-process', name: 'figures', description: 'stand-in', measure: async () => [{ label: 'x', value: 2, unit: 'ms' }],
    });
    const report = await runBench({
      names: [], runs: 3, warmup: 1, quick: true, workloads: [synthetic, figures], repoRoot, workDir: join(dir, 'work'), log: () => undefined,
      toolSpecs: [{ name: 'node', bin: process.execPath, versionArgs: ['--version'] }, { name: 'absent', bin: '/nonexistent/absent-tool', versionArgs: [] }],
    });
    assert.deepEqual(order, ['prepare node', 'hoist 0', 'node 0', 'hoist 1', 'node 1', 'hoist 2', 'node 2', 'hoist 3', 'node 3']);
    const [hoist, node, absent, needsAbsent] = (report.workloads[0] as ProcessWorkloadResult).cases;
    assert.equal(needsAbsent!.status, 'unavailable: needs absent (not installed)');
    assert.equal(hoist!.status, 'ok');
    assert.equal(hoist!.runs.length, 3);
    assert.ok(hoist!.peakRssMiB!.median > 64, `hoist stand-in peak RSS ${hoist!.peakRssMiB!.median} MiB`);
    assert.equal(node!.compareTo, 'hoist');
    assert.ok(node!.seconds!.min > 0);
    assert.equal(absent!.status, 'not installed');
    assert.equal(absent!.seconds, undefined);
    const markdown = renderResults(report);
    assert.match(markdown, /\| absent \| not installed \| — \| — \| — \| — \| — \| — \|/);
    assert.match(markdown, /\| node \| ok \| [\d.]+ \| [\d.]+ \| [\d.]+ \| \d+ \| [\d.]+ \| [\d.]+ \|/);
    assert.match(markdown, /\| figures \| x \| 2\.000 \| 2\.000 \| 2\.000 \| ms \|/);
  });

  it('reports hoist as not built when dist/src/cli/main.js is missing', async () => {
    const w = defineProcessWorkload<undefined>({
      kind: 'process', name: 'w', description: 'd', setup: async () => undefined,
      cases: [{ label: 'hoist', tool: 'hoist', command: (r) => ({ argv: r.tool('hoist') }) }],
    });
    const report = await runBench({ names: ['w'], runs: 1, warmup: 0, quick: true, workloads: [w], repoRoot: dir, workDir: join(dir, 'work'), log: () => undefined, toolSpecs: [] });
    assert.equal((report.workloads[0] as ProcessWorkloadResult).cases[0]!.status, 'not built');
  });

  it('compares a hoist case with another hoist case when it names one (build-rss)', async () => {
    const w = defineProcessWorkload<undefined>({
      kind: 'process', name: 'w', description: 'd', setup: async () => undefined,
      cases: [
        { label: 'many', tool: 'hoist', command: (r) => ({ argv: r.tool('hoist') }) },
        { label: 'few', tool: 'hoist', compareTo: 'many', command: (r) => ({ argv: r.tool('hoist') }) },
        { label: 'peer', tool: 'node', command: (r) => ({ argv: r.tool('node') }) },
      ],
    });
    const report = await runBench({ names: ['w'], runs: 1, warmup: 0, quick: true, workloads: [w], repoRoot: dir, workDir: join(dir, 'work'), log: () => undefined,
      toolSpecs: [{ name: 'node', bin: process.execPath, versionArgs: ['--version'] }] });
    assert.deepEqual((report.workloads[0] as ProcessWorkloadResult).cases.map((c) => c.compareTo), [undefined, 'many', 'many']);
  });

  it('names the private dockerd after the work dir, so that two benches never share one', () => {
    const a = daemonPaths('/var/tmp/hoist-bench');
    assert.deepEqual(daemonPaths('/var/tmp/hoist-bench/'), a);
    const b = daemonPaths('/var/tmp/hoist-bench-other');
    for (const k of ['socket', 'execRoot', 'pidfile'] as const) assert.notEqual(a[k], b[k]);
    // containerd's socket under the exec root must fit a sockaddr_un (108 bytes)
    assert.ok(`${a.execRoot}/containerd/containerd.sock`.length < 100);
  });
});
