import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { normalizeEntryName, readTar } from '../../../src/layer';
import { DecompressAuto } from '../../../src/stream';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { makeContext } from './build-helpers';

const EPOCH = 946684800; // 2000-01-01T00:00:00Z
const EPOCH_TIME = '2000-01-01T00:00:00Z';

// every kind of layer step: RUN (files made now, and one dated from a context file), COPY from the
// context, a heredoc, ADD, WORKDIR, a deletion (whiteout), COPY --from a stage; a stage's ONBUILD
// must not run in the stage built on it (BuildKit's dispatchState.init drops it)
const DOCKERFILE = `FROM base AS tools
RUN mkdir /tools && echo t > /tools/t.txt
ONBUILD RUN touch /trigger-ran

FROM tools
WORKDIR /app
COPY . /app/
COPY <<EOF /app/heredoc.txt
hello
EOF
ADD sub/b.txt /app/added/
RUN echo built > /app/out.txt && touch -r /app/a.txt /app/out.txt && mkdir -p /var/made && echo x > /var/made/y
RUN rm -rf /app/sub
COPY --from=tools /tools/t.txt /app/t.txt
RUN test ! -e /trigger-ran
`;

interface Config {
  created: string;
  history: { created?: string; empty_layer?: boolean }[];
  rootfs: { diff_ids: string[] };
}

/** A checkout of the context whose files (and directories) all carry `mtime` (seconds). */
function checkout(mtime: number): string {
  const dir = makeContext({ Dockerfile: DOCKERFILE, 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
  for (const p of ['a.txt', 'sub/b.txt', 'Dockerfile', 'sub', '.']) fs.utimesSync(path.join(dir, p), mtime, mtime);
  return dir;
}

/** The stored image's manifest (tag `ref`): its digest, config and layer blobs. */
function storedImage(root: string, ref: string): { manifest: string; config: Config; layers: string[] } {
  const index = JSON.parse(fs.readFileSync(path.join(root, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === `docker.io/library/${ref}:latest`);
  assert.ok(entry, `${ref} is tagged`);
  const blob = (d: string): string => path.join(root, 'blobs', 'sha256', d.slice('sha256:'.length));
  const manifest = JSON.parse(fs.readFileSync(blob(entry.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  return { manifest: entry.digest, config: JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8')) as Config, layers: manifest.layers.map((l) => blob(l.digest)) };
}

/** Every entry of a layer blob with its mtime (seconds). */
async function mtimes(blob: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const plain = new DecompressAuto();
  const feeding = pipeline(fs.createReadStream(blob), plain);
  await readTar(plain, (h) => {
    out.set(normalizeEntryName(h.name), h.mtime);
    return undefined;
  });
  await feeding;
  return out;
}

async function build(root: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await runHoist(['build', '--progress', 'plain', ...args], { root, env });
  assert.equal(r.code, 0, r.stderr);
}

describe('hoist build: reproducible images (SOURCE_DATE_EPOCH, rewrite-timestamp)', function () {
  this.timeout(300_000);
  let one: string;
  let two: string;
  const ctx2024 = (): string => checkout(Date.UTC(2024, 4, 1) / 1000);
  const ctx2025 = (): string => checkout(Date.UTC(2025, 6, 1) / 1000);

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    one = tmpDir('hoist-repro-one-');
    two = tmpDir('hoist-repro-two-');
    await loadBusybox(one, 'base:latest');
    await loadBusybox(two, 'base:latest');
  });

  it('two stores, two checkouts with other mtimes, the build arg and the environment: the same image digest (the epoch alone clamps, as rewrite-timestamp=true does)', async () => {
    const out = tmpDir();
    await build(one, ['--build-arg', `SOURCE_DATE_EPOCH=${EPOCH}`, '-o', `type=oci,dest=${out}/one.tar`, '-t', 'repro', ctx2024()]);
    await build(two, ['-o', `type=oci,dest=${out}/two.tar,rewrite-timestamp=true`, '-t', 'repro', ctx2025()], { SOURCE_DATE_EPOCH: String(EPOCH) });
    const a = storedImage(one, 'repro');
    const b = storedImage(two, 'repro');
    assert.equal(a.manifest, b.manifest);
    assert.ok(fs.readFileSync(`${out}/one.tar`).equals(fs.readFileSync(`${out}/two.tar`)), 'the OCI archives are the same bytes');
    assert.equal(a.config.created, EPOCH_TIME);
    assert.equal(a.config.history[0]!.created, '2024-01-01T00:00:00Z', "the base image's history keeps its time");
    for (const h of a.config.history.slice(1)) assert.equal(h.created, EPOCH_TIME);
    // the base layer is the base's; every layer the build wrote has every time clamped to the epoch
    assert.notDeepEqual([...(await mtimes(a.layers[0]!)).values()], [EPOCH]);
    for (const layer of a.layers.slice(1)) for (const [name, t] of await mtimes(layer)) assert.ok(t <= EPOCH, `${name}: ${t}`);
  });

  it("rewrite-timestamp=false gives BuildKit's default: only the config and WORKDIR are dated, other mtimes stay, the digest differs", async () => {
    const local = path.join(tmpDir(), 'rootfs');
    await build(one, ['--build-arg', `SOURCE_DATE_EPOCH=${EPOCH}`, '-t', 'config-only', '-o', 'type=image,rewrite-timestamp=false', '-o', `type=local,dest=${local}`, ctx2025()]);
    const img = storedImage(one, 'config-only');
    assert.notEqual(img.manifest, storedImage(one, 'repro').manifest);
    assert.equal(img.config.created, EPOCH_TIME);
    const layers = await Promise.all(img.layers.map(mtimes));
    assert.equal(layers[2]!.get('app'), EPOCH, "WORKDIR's directory is dated the epoch");
    const copied = layers.find((l) => l.has('app/a.txt'))!;
    assert.equal(copied.get('app/a.txt'), Date.UTC(2025, 6, 1) / 1000, 'COPY keeps the checkout mtime');
    // the local exporter dates every file with the epoch
    assert.equal(fs.lstatSync(path.join(local, 'app', 'out.txt')).mtimeMs, EPOCH * 1000);
    assert.equal(fs.lstatSync(path.join(local, 'bin', 'sh')).mtimeMs, EPOCH * 1000);
  });

  it('without SOURCE_DATE_EPOCH nothing changes: build times, checkout mtimes', async () => {
    const t0 = Date.now() - 1000;
    await build(two, ['-t', 'plain', ctx2024()]);
    const img = storedImage(two, 'plain');
    assert.ok(Date.parse(img.config.created) >= t0, img.config.created);
    const layers = await Promise.all(img.layers.map(mtimes));
    assert.ok(layers[2]!.get('app')! * 1000 >= t0, 'WORKDIR made now');
    const run = layers.find((l) => l.has('app/out.txt'))!;
    assert.equal(run.get('app/out.txt'), Date.UTC(2024, 4, 1) / 1000, 'touch -r kept');
    assert.ok(run.get('var/made/y')! * 1000 >= t0);
  });

  it('a SOURCE_DATE_EPOCH that is not a number is refused; rewrite-timestamp without one warns', async () => {
    const bad = await runHoist(['build', '--build-arg', 'SOURCE_DATE_EPOCH=yesterday', ctx2024()], { root: one });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid SOURCE_DATE_EPOCH: yesterday/);
    const warn = await runHoist(['build', '--progress', 'plain', '-o', 'type=image,rewrite-timestamp=true', ctx2024()], { root: two, env: { SOURCE_DATE_EPOCH: '' } });
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /rewrite-timestamp is specified, but no source-date-epoch was found/);
    const split = await runHoist(['build', '--build-arg', `SOURCE_DATE_EPOCH=${EPOCH}`, '-o', 'type=image,rewrite-timestamp=true', '-o', `type=oci,dest=${tmpDir()}/x.tar,rewrite-timestamp=false`, ctx2024()], { root: two });
    assert.equal(split.code, 1);
    assert.match(split.stderr, /outputs disagree on rewrite-timestamp/);
  });
});
