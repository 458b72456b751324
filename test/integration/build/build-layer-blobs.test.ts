import * as assert from 'node:assert/strict';
import { createCipheriv, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collect, runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { assertBlobsIntact, tagEntry } from '../store/store-checks';
import { activeSnapshots } from './build-helpers';

// Layer blobs are compressed while later steps run (build/exec/layer-blobs.ts). What must hold:
// the same bytes as before (a digest pinned from the one-pass writer), and a store that a kill,
// a stop or a failing step leaves with no record or tag naming a missing blob and no partial blob.

const EPOCH = '946684800';
/** The image `GOLDEN_DOCKERFILE` gave with the one-pass layer writer (hoist at 76fc259), SOURCE_DATE_EPOCH and rewrite-timestamp. */
const GOLDEN_MANIFEST = 'sha256:53e27933e37fdbeff1a60251a06df0d117703a42589ac09feb592807150e3f17';

const GOLDEN_DOCKERFILE = `FROM scratch
COPY data/ /data/
COPY random.bin /blobs/random.bin
WORKDIR /work
COPY notes.txt /work/
`;

/** `n` bytes of AES-CTR key stream: incompressible, the same on every machine. */
function keyStream(n: number, seed: string): Buffer {
  const key = createHash('sha256').update(seed).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(n));
}

function writeFile(dir: string, name: string, data: Buffer | string, mode = 0o644): void {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
  fs.writeFileSync(p, data);
  fs.chmodSync(p, mode);
}

/** The golden context: text files, a 3 MiB file of which half is incompressible (several 1 MiB gzip blocks). */
function goldenContext(): string {
  const dir = tmpDir('hoist-blobs-ctx-');
  writeFile(dir, 'Dockerfile', GOLDEN_DOCKERFILE);
  for (let i = 0; i < 20; i++) writeFile(dir, `data/part-${String(i).padStart(2, '0')}.txt`, `line ${i}\n`.repeat(50 + i * 40), i % 5 === 0 ? 0o755 : 0o644);
  writeFile(dir, 'random.bin', Buffer.concat([keyStream(1536 * 1024, 'golden'), Buffer.from('text '.repeat(300 * 1024))]));
  writeFile(dir, 'notes.txt', 'notes\n');
  fs.chmodSync(path.join(dir, 'data'), 0o755);
  return dir;
}

/** A context whose first COPY makes a layer big enough to be still compressing when the next steps end. */
function bigContext(last: string): string {
  const dir = tmpDir('hoist-blobs-big-');
  writeFile(dir, 'Dockerfile', `FROM scratch\nCOPY big.bin /big.bin\n${last}\n`);
  writeFile(dir, 'big.bin', keyStream(48 << 20, 'big'));
  writeFile(dir, 'small.txt', 'small\n');
  return dir;
}

const buildArgs = (ctx: string, tag: string): string[] => ['build', '--progress', 'json', '--platform', 'linux/amd64', '-o', 'type=image,rewrite-timestamp=true', '-t', tag, ctx];

function ingestEntries(root: string): string[] {
  const dir = path.join(root, 'ingest');
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

/** Every cache record names only blobs that are in the store; returns the records' layer digests. */
function assertRecordsComplete(root: string): string[] {
  const dir = path.join(root, 'cache');
  const out: string[] = [];
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!name.endsWith('.json')) continue;
    const rec = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { layer?: { descriptor: { digest: string } } };
    if (rec.layer === undefined) continue;
    const digest = rec.layer.descriptor.digest;
    assert.ok(fs.existsSync(path.join(root, 'blobs', 'sha256', digest.slice(7))), `cache record ${name} names ${digest}, which is in the store`);
    out.push(digest);
  }
  return out;
}

/** Start a build and stop it with `signal` once the step that copies big.bin is done (its blob then compressing). */
async function stopAfterBigCopy(root: string, ctx: string, tag: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawnHoist(buildArgs(ctx, tag), { root, env: { SOURCE_DATE_EPOCH: EPOCH } });
  let bigId: string | undefined;
  let buffered = '';
  child.stderr!.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as { type: string; id?: string; name?: string };
      if (e.type === 'step-start' && e.name?.includes('big.bin')) bigId = e.id;
      if (e.type === 'step-done' && e.id === bigId) child.kill(signal);
    }
  });
  return collect(child);
}

describe('hoist build: layer blobs written while later steps run', function () {
  this.timeout(180_000);
  let golden: string;

  before(() => {
    golden = goldenContext();
  });

  it('gives the image the one-pass writer gave (pinned digest), and leaves no scratch file', async () => {
    const root = tmpDir('hoist-blobs-golden-');
    const r = await runHoist(buildArgs(golden, 'golden'), { root, env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(tagEntry(root, 'docker.io/library/golden:latest')?.digest, GOLDEN_MANIFEST);
    assert.deepEqual(ingestEntries(root), []);
    assertRecordsComplete(root);
  });

  it('killed (-9) while a layer compresses: no partial blob, no record or tag without its blob; prune clears the scratch file; a rebuild gives the same image', async () => {
    const root = tmpDir('hoist-blobs-kill-');
    const ctx = bigContext('COPY small.txt /small.txt');
    const r = await stopAfterBigCopy(root, ctx, 'killed', 'SIGKILL');
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    // killed mid-compression: the uncompressed tar is still in its scratch file
    assert.ok(ingestEntries(root).some((n) => n.startsWith('scratch-')), `a scratch file is left: ${ingestEntries(root).join(' ')}`);
    assertBlobsIntact(root);
    assertRecordsComplete(root);
    assert.equal(tagEntry(root, 'docker.io/library/killed:latest'), undefined);
    const pruned = await runHoist(['prune'], { root });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.deepEqual(ingestEntries(root).filter((n) => n.startsWith('scratch-')), []);
    const again = await runHoist(buildArgs(ctx, 'killed'), { root, env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(again.code, 0, again.stderr);
    const fresh = tmpDir('hoist-blobs-fresh-');
    const clean = await runHoist(buildArgs(ctx, 'killed'), { root: fresh, env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(tagEntry(root, 'docker.io/library/killed:latest')?.digest, tagEntry(fresh, 'docker.io/library/killed:latest')?.digest);
    assertRecordsComplete(root);
    assert.deepEqual(ingestEntries(root), []);
  });

  it('stopped (SIGTERM) while a layer compresses: the write is abandoned and cleaned up, nothing names it', async () => {
    const root = tmpDir('hoist-blobs-term-');
    const r = await stopAfterBigCopy(root, bigContext('COPY small.txt /small.txt'), 'stopped', 'SIGTERM');
    assert.notEqual(r.code, 0, r.stderr);
    assert.deepEqual(ingestEntries(root), [], 'no scratch file or partial write');
    assertBlobsIntact(root);
    assertRecordsComplete(root);
    assert.equal(tagEntry(root, 'docker.io/library/stopped:latest'), undefined);
    assert.deepEqual(activeSnapshots(root), []);
  });

  it('a later step that fails: the build waits for the compression it stops, and leaves no partial blob, scratch file or tag', async () => {
    const root = tmpDir('hoist-blobs-fail-');
    const r = await runHoist(buildArgs(bigContext('COPY missing.txt /missing.txt'), 'failed'), { root, env: { SOURCE_DATE_EPOCH: EPOCH } });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /missing\.txt/);
    assert.deepEqual(ingestEntries(root), []);
    assertBlobsIntact(root);
    assertRecordsComplete(root);
    assert.equal(tagEntry(root, 'docker.io/library/failed:latest'), undefined);
    assert.deepEqual(activeSnapshots(root), []);
  });
});
