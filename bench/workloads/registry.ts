// Registry workload: hoist pull / push against a loopback docker-registry, side by side with
// skopeo in the same run. Runnable alone until the harness lands:
//   node dist/bench/workloads/registry.js [--runs N] [--quick]
// Each measured command runs as a child process under /usr/bin/time (wall time, peak RSS).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { Digester, digestOf } from '../../src/oci/digest';
import { MediaType } from '../../src/oci/media-types';
import { pullImage, pushImage } from '../../src/registry';
import { writeBlobBytes } from '../../src/store/helpers';
import { Store } from '../../src/store/store';
import { setTag } from '../../src/store/tags';
import { startRegistry, type RegistryServer } from '../../test/helpers/registry-server';

const pexec = promisify(execFile);
const SKOPEO = '/usr/bin/skopeo';
const TIME = '/usr/bin/time';
export const SRC_REF = 'localhost/bench/registry-src:1';
export const SKOPEO_NAME = 'bench';

export interface RegistryFixture {
  storeRoot: string;
  bytes: number;
  files: number;
}

/** Layer plan: ~1.4 GiB of gzip blobs, 7,500 files in 3 layers (quick: ~24 MiB). */
function plan(quick: boolean): Array<{ files: number; bytes: number }> {
  const MiB = 1024 * 1024;
  const scale = quick ? 1 / 60 : 1;
  return [
    { files: quick ? 100 : 2500, bytes: Math.round(760 * MiB * scale) },
    { files: quick ? 100 : 2500, bytes: Math.round(480 * MiB * scale) },
    { files: quick ? 100 : 2500, bytes: Math.round(200 * MiB * scale) },
  ];
}

/** Write one gzip layer (incompressible file bodies, gzip -1) into the store; returns digests. */
async function writeLayer(store: Store, files: number, bytes: number, pool: Buffer, seed: number) {
  const pack = tar.pack();
  const diff = new Digester();
  const w = await store.content.writer({});
  const feeding = (async () => {
    const per = Math.floor(bytes / files);
    for (let i = 0; i < files; i++) {
      const size = Math.max(1, Math.round(per * (0.25 + ((i * 7919 + seed) % 150) / 100)));
      const off = (i * 104729 + seed * 31) % (pool.length - size);
      await new Promise<void>((resolve, reject) =>
        pack.entry({ name: `d${seed}/${i % 50}/f${i}.bin`, size, mode: 0o644, mtime: new Date(0) }, pool.subarray(off, off + size), (e) => (e ? reject(e) : resolve())),
      );
    }
    pack.finalize();
  })();
  const gz = createGzip({ level: 1, chunkSize: 1024 * 1024 });
  pack.on('data', (c: unknown) => diff.update(c as Buffer));
  await Promise.all([pipeline(pack, gz, w), feeding]);
  const r = await w.commit();
  return { desc: { mediaType: MediaType.OciLayerGzip, digest: r.digest, size: r.size }, diffId: diff.digest() };
}

/** Build (or find, cached) the fixture image in a hoist store that skopeo reads as an OCI layout. */
export async function prepareRegistryFixture(workDir: string, quick = false): Promise<RegistryFixture> {
  const storeRoot = path.join(workDir, quick ? 'registry-fixture-quick' : 'registry-fixture');
  const marker = path.join(storeRoot, 'fixture.json');
  if (fs.existsSync(marker)) return JSON.parse(fs.readFileSync(marker, 'utf8')) as RegistryFixture;
  fs.rmSync(storeRoot, { recursive: true, force: true });
  const store = await Store.open(storeRoot);
  const pool = randomBytes(32 * 1024 * 1024);
  const layers = [];
  const diffIds = [];
  for (const [i, l] of plan(quick).entries()) {
    const { desc, diffId } = await writeLayer(store, l.files, l.bytes, pool, i + 1);
    layers.push(desc);
    diffIds.push(diffId);
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds }, config: {} }));
  await writeBlobBytes(store.content, config);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length }, layers }),
  );
  await writeBlobBytes(store.content, manifest);
  const desc = { mediaType: MediaType.OciManifest, digest: digestOf(manifest), size: manifest.length };
  await setTag(store.index, SRC_REF, desc);
  await setTag(store.index, SKOPEO_NAME, desc);
  const fixture: RegistryFixture = { storeRoot, bytes: layers.reduce((n, l) => n + l.size, 0), files: plan(quick).reduce((n, l) => n + l.files, 0) };
  fs.writeFileSync(marker, JSON.stringify(fixture));
  return fixture;
}

export interface Measured {
  seconds: number;
  /** user + system CPU seconds: steadier than wall time on a shared machine */
  cpuSeconds: number;
  maxRssKiB: number;
}

/** Run argv under /usr/bin/time: wall seconds and peak RSS. */
export async function measure(argv: string[]): Promise<Measured> {
  const { stderr } = await pexec(TIME, ['-f', 'HOISTTIME %e %M %U %S', ...argv], { maxBuffer: 64 * 1024 * 1024 });
  const m = /HOISTTIME ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
  if (m === null) throw new Error(`no timing in: ${stderr.slice(-500)}`);
  return { seconds: Number(m[1]), maxRssKiB: Number(m[2]), cpuSeconds: Number(m[3]) + Number(m[4]) };
}

const self = (): string[] => [process.execPath, __filename];

export async function hoistPushOnce(f: RegistryFixture, host: string): Promise<Measured> {
  return measure([...self(), 'child-push', f.storeRoot, SRC_REF, `${host}/bench/hoist:1`]);
}

export async function skopeoPushOnce(f: RegistryFixture, host: string): Promise<Measured> {
  return measure([SKOPEO, 'copy', '-q', '--dest-tls-verify=false', `oci:${f.storeRoot}:${SKOPEO_NAME}`, `docker://${host}/bench/skopeo:1`]);
}

export async function hoistPullOnce(host: string, dest: string): Promise<Measured> {
  return measure([...self(), 'child-pull', dest, `${host}/bench/src:1`]);
}

export async function skopeoPullOnce(host: string, dest: string): Promise<Measured> {
  return measure([SKOPEO, 'copy', '-q', '--src-tls-verify=false', `docker://${host}/bench/src:1`, `oci:${dest}:pulled`]);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface RegistryBenchRow {
  op: string;
  tool: string;
  medianSeconds: number;
  medianCpuSeconds: number;
  runs: number[];
  mbPerSec: number;
  peakRssMiB: number;
}

/** The whole workload: N alternating runs of each case; returns rows (ratios are computed by the caller). */
export async function runRegistryBench(workDir: string, runs = 3, quick = false, log = (m: string) => process.stderr.write(`${m}\n`)): Promise<RegistryBenchRow[]> {
  const f = await prepareRegistryFixture(workDir, quick);
  log(`fixture: ${(f.bytes / 2 ** 30).toFixed(2)} GiB of gzip layers, ${f.files} files, 3 layers`);
  const results: Record<string, Measured[]> = { 'push hoist': [], 'push skopeo': [], 'pull hoist': [], 'pull skopeo': [] };
  const withRegistry = async <T>(fn: (r: RegistryServer) => Promise<T>): Promise<T> => {
    const r = await startRegistry();
    try {
      return await fn(r);
    } finally {
      await r.stop();
    }
  };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? (['hoist', 'skopeo'] as const) : (['skopeo', 'hoist'] as const);
    for (const tool of order) {
      const m = await withRegistry((r) => (tool === 'hoist' ? hoistPushOnce(f, r.host) : skopeoPushOnce(f, r.host)));
      results[`push ${tool}`]!.push(m);
      log(`push ${tool} run ${i + 1}: ${m.seconds}s (cpu ${m.cpuSeconds.toFixed(2)}s), ${Math.round(m.maxRssKiB / 1024)} MiB`);
    }
  }
  await withRegistry(async (r) => {
    const seedHost = r.host;
    await measure([...self(), 'child-push', f.storeRoot, SRC_REF, `${seedHost}/bench/src:1`]);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? (['hoist', 'skopeo'] as const) : (['skopeo', 'hoist'] as const);
      for (const tool of order) {
        const dest = path.join(workDir, `registry-pull-${tool}`);
        fs.rmSync(dest, { recursive: true, force: true });
        const m = tool === 'hoist' ? await hoistPullOnce(seedHost, dest) : await skopeoPullOnce(seedHost, dest);
        fs.rmSync(dest, { recursive: true, force: true });
        results[`pull ${tool}`]!.push(m);
        log(`pull ${tool} run ${i + 1}: ${m.seconds}s (cpu ${m.cpuSeconds.toFixed(2)}s), ${Math.round(m.maxRssKiB / 1024)} MiB`);
      }
    }
  });
  return Object.entries(results).map(([k, ms]) => {
    const [op, tool] = k.split(' ') as [string, string];
    const secs = median(ms.map((m) => m.seconds));
    return { op, tool, medianSeconds: secs, medianCpuSeconds: median(ms.map((m) => m.cpuSeconds)), runs: ms.map((m) => m.seconds), mbPerSec: f.bytes / 1e6 / secs, peakRssMiB: Math.max(...ms.map((m) => m.maxRssKiB)) / 1024 };
  });
}

export function renderRegistryTable(rows: RegistryBenchRow[]): string {
  const out = ['| op | tool | median s | runs | MB/s | CPU s | peak RSS MiB | hoist/skopeo time | hoist/skopeo CPU |', '|---|---|---:|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const peer = rows.find((x) => x.op === r.op && x.tool === 'skopeo')!;
    const ratio = r.tool === 'hoist' ? (r.medianSeconds / peer.medianSeconds).toFixed(2) : '';
    const cpu = r.tool === 'hoist' ? (r.medianCpuSeconds / peer.medianCpuSeconds).toFixed(2) : '';
    out.push(
      `| ${r.op} | ${r.tool} | ${r.medianSeconds.toFixed(2)} | ${r.runs.join('/')} | ${r.mbPerSec.toFixed(0)} | ${r.medianCpuSeconds.toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${ratio} | ${cpu} |`,
    );
  }
  return out.join('\n');
}

async function child(argv: string[]): Promise<void> {
  const [verb, a, b, c] = argv;
  if (verb === 'child-push') await pushImage(await Store.open(a!), b!, c!);
  else if (verb === 'child-pull') await pullImage(await Store.open(a!), b!);
  else throw new Error(`unknown child verb ${verb}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0]?.startsWith('child-')) return child(args);
  const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
  const quick = args.includes('--quick');
  const workDir = process.env.HOIST_BENCH_DIR ?? '/var/tmp/hoist-bench';
  fs.mkdirSync(workDir, { recursive: true });
  const rows = await runRegistryBench(workDir, args.includes('--runs') ? runs : 3, quick);
  process.stdout.write(`${renderRegistryTable(rows)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
