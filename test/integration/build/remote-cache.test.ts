import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasCommand, skipWith } from '../../helpers/capabilities';
import { runHoist, spawnHoist } from '../../helpers/hoist-cli';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, cachedSteps, imageId, makeContext } from './build-helpers';

/** Two stores stand for two machines (a CI runner and a laptop) sharing one loopback registry. */
function dockerfile(base: string): string {
  return `FROM ${base} AS deps
WORKDIR /app
COPY lib.txt ./
RUN cat lib.txt > /app/deps.out

FROM ${base}
WORKDIR /app
COPY --from=deps /app/deps.out ./
COPY main.txt ./
RUN cat deps.out main.txt > all.out
CMD ["cat", "/app/all.out"]
`;
}

const ALL_STEPS = 7;
const strip = (steps: string[]): string[] => steps.map((c) => c.replace(/^\[\S* ?\d\/\d\] /, '')).sort();

async function blobJson(reg: RegistryServer, repo: string, digest: string): Promise<unknown> {
  const res = await fetch(`http://${reg.host}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200);
  return res.json();
}

describe('hoist build: a cache shared through a registry (--cache-to / --cache-from)', function () {
  this.timeout(300_000);
  let reg: RegistryServer;
  let rootA: string;
  let base: string;
  let files: Record<string, string>;
  let idA: string;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    requireRegistry(this);
    reg = await startRegistry();
    rootA = tmpDir('hoist-machine-a-');
    base = `${reg.host}/lib/base:1`;
    await loadBusybox(rootA, 'base:latest');
    for (const args of [['tag', 'base:latest', base], ['push', base]]) {
      const r = await runHoist(args, { root: rootA });
      assert.equal(r.code, 0, r.stderr);
    }
    files = { Dockerfile: dockerfile(base), 'lib.txt': 'lib v1\n', 'main.txt': 'main v1\n' };
  });

  after(async () => {
    await reg?.stop();
  });

  it('machine A exports mode=max; machine B hits every step and writes the same image', async () => {
    const ctxA = makeContext(files);
    const a = await buildOk(rootA, ['-t', 'app', '--cache-to', `type=registry,ref=${reg.host}/cache/app:buildcache,mode=max`, ctxA]);
    assert.deepEqual(cachedSteps(a.stderr), []);
    assert.match(a.stderr, /exporting cache to registry/);
    idA = await imageId(rootA, 'app');

    const rootB = tmpDir('hoist-machine-b-');
    const b = await buildOk(rootB, ['-t', 'app', '--cache-from', `type=registry,ref=${reg.host}/cache/app:buildcache`, makeContext(files)]);
    assert.equal(cachedSteps(b.stderr).length, ALL_STEPS, b.stderr);
    assert.equal(await imageId(rootB, 'app'), idA);
    // every step hit: no rootfs was needed, so B unpacked nothing (not even the base it pulled)
    const unpacked = fs.existsSync(path.join(rootB, 'layers')) ? fs.readdirSync(path.join(rootB, 'layers')).filter((n) => !n.startsWith('.')) : [];
    assert.deepEqual(unpacked, [], 'B unpacked layers although every step was a cache hit');
    const out = await runHoist(['run', '--rm', 'app'], { root: rootB });
    assert.equal(out.stdout, 'lib v1\nmain v1\n');
    // lazy: the deps stage's RUN layer is not part of the image, and nothing needed its bytes
    const blobs = fs.readdirSync(path.join(rootB, 'blobs', 'sha256'));
    const cfg = (await blobJson(reg, 'cache/app', await cacheConfigDigest(reg))) as { layers: { blob: string }[] };
    const image = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', `oci:${rootB}:docker.io/library/app:latest`]).toString()) as { layers: { digest: string }[] };
    const notInImage = cfg.layers.map((l) => l.blob).filter((d) => !image.layers.some((l) => l.digest === d));
    assert.ok(notInImage.length > 0);
    for (const d of notInImage) assert.ok(!blobs.includes(d.slice(7)), `B fetched ${d}, which no step needed`);
  });

  it("keys are machine-independent: another context path, other mtimes, a proxy build arg still hit A's cache", async () => {
    const rootC = tmpDir('hoist-machine-c-');
    const ctxC = path.join(makeContext({}), 'deeper', 'checkout');
    fs.mkdirSync(ctxC, { recursive: true });
    for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(ctxC, name), content);
    const old = new Date('2001-02-03T04:05:06Z');
    for (const name of Object.keys(files)) fs.utimesSync(path.join(ctxC, name), old, old);
    const c = await buildOk(rootC, ['-t', 'app', '--build-arg', 'HTTP_PROXY=http://proxy.machine-c:3128', '--cache-from', `type=registry,ref=${reg.host}/cache/app:buildcache`, ctxC]);
    assert.equal(cachedSteps(c.stderr).length, ALL_STEPS, c.stderr);
    assert.equal(await imageId(rootC, 'app'), idA);
  });

  it('B edits one file: only the steps after it run, and B uploads no layer A already pushed', async () => {
    const rootB = tmpDir('hoist-machine-b-');
    // a blob's upload ends with its PUT (a mount is a POST with ?mount= and no PUT)
    const uploads = (): number => reg.log().split('\n').filter((l) => l.includes('"PUT /v2/cache/app/blobs/uploads/')).length;
    const before = uploads();
    const b = await buildOk(rootB, ['-t', 'app', '--cache-from', `type=registry,ref=${reg.host}/cache/app:buildcache`, '--cache-to', `type=registry,ref=${reg.host}/cache/app:buildcache,mode=max`, makeContext({ ...files, 'main.txt': 'main v2\n' })]);
    assert.deepEqual(strip(cachedSteps(b.stderr)), ['COPY --from=deps /app/deps.out ./', 'COPY lib.txt ./', 'RUN cat lib.txt > /app/deps.out', 'WORKDIR /app', 'WORKDIR /app'], b.stderr);
    const out = await runHoist(['run', '--rm', 'app'], { root: rootB });
    assert.equal(out.stdout, 'lib v1\nmain v2\n');
    // the two new layers (COPY main.txt, RUN) and the new cacheconfig; every other blob was there (HEAD) or mounted
    assert.equal(uploads() - before, 3, reg.log().slice(-3000));
  });

  it('inline: A builds with --push and --cache-to type=inline; B with --cache-from IMAGE hits every step, same image', async function () {
    if (!hasCommand('skopeo')) skipWith(this, 'needs skopeo');
    const ref = `${reg.host}/team/app:inline`;
    const rootA2 = tmpDir('hoist-machine-a-');
    const a = await buildOk(rootA2, ['-t', ref, '--push', '--cache-to', 'type=inline', makeContext(files)]);
    assert.match(a.stderr, /pushing /);
    const pushed = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]).toString()) as { Digest: string };
    const local = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${rootA2}:${ref}`]).toString()) as { Digest: string };
    assert.equal(pushed.Digest, local.Digest);
    const config = JSON.parse(execFileSync('skopeo', ['inspect', '--config', '--raw', '--tls-verify=false', `docker://${ref}`]).toString()) as Record<string, string>;
    const records = JSON.parse(Buffer.from(config['moby.buildkit.cache.v0']!, 'base64').toString()) as { digest: string; layers?: { layer: number }[] }[];
    assert.ok(records.length >= 4, JSON.stringify(records));

    const rootB = tmpDir('hoist-machine-b-');
    const b = await buildOk(rootB, ['-t', ref, '--cache-to', 'type=inline', '--cache-from', ref, makeContext(files)]);
    // the deps stage is not in the image, so not in its inline cache (as BuildKit's): it runs on B, and its
    // layers differ from A's (COPY keeps B's mtimes); keys chain on what made a rootfs, not its bytes, so every
    // step of the image still hits
    const cached = strip(cachedSteps(b.stderr));
    for (const s of ['COPY --from=deps /app/deps.out ./', 'COPY main.txt ./', 'RUN cat deps.out main.txt > all.out', 'WORKDIR /app']) assert.ok(cached.includes(s), b.stderr);
    assert.equal(await imageId(rootB, ref), await imageId(rootA2, ref));
  });

  it('--push uploads a layer while later steps still run, and the pushed image is the built one', async () => {
    const ref = `${reg.host}/early/app:1`;
    const root = tmpDir('hoist-push-');
    const ctx = makeContext({ Dockerfile: `FROM ${base}\nCOPY main.txt /main.txt\nRUN sleep 3 && cp /main.txt /copy.txt\n`, 'main.txt': 'main v1\n' });
    const uploads = (): number => reg.log().split('\n').filter((l) => l.includes('"PUT /v2/early/app/blobs/uploads/')).length;
    const child = spawnHoist(['build', '--progress', 'plain', '-t', ref, '--push', ctx], { root });
    let stderr = '';
    let runStarted = false;
    let uploadedDuringRun = false;
    let runDone = false;
    const poll = setInterval(() => {
      if (runStarted && !runDone && uploads() > 0) uploadedDuringRun = true;
    }, 50);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const n = /#(\d+) \[.*\] RUN sleep 3/.exec(stderr)?.[1];
      runStarted ||= n !== undefined;
      runDone ||= n !== undefined && new RegExp(`#${n} DONE`).test(stderr);
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearInterval(poll);
    assert.equal(code, 0, stderr);
    assert.ok(uploadedDuringRun, `no layer was uploaded while RUN ran\n${stderr}`);
    const pushed = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]).toString()) as { Digest: string };
    const local = JSON.parse(execFileSync('skopeo', ['inspect', `oci:${root}:${ref}`]).toString()) as { Digest: string };
    assert.equal(pushed.Digest, local.Digest);
  });

  it('skopeo reads the cache manifest: an OCI index of the layers and a BuildKit cacheconfig', async function () {
    if (!hasCommand('skopeo')) skipWith(this, 'needs skopeo');
    const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/cache/app:buildcache`]).toString();
    const index = JSON.parse(raw) as { mediaType: string; manifests: { mediaType: string; digest: string; annotations?: Record<string, string> }[] };
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    const config = index.manifests.at(-1)!;
    assert.equal(config.mediaType, 'application/vnd.buildkit.cacheconfig.v0');
    for (const l of index.manifests.slice(0, -1)) {
      assert.match(l.mediaType, /^application\/vnd\.oci\.image\.layer\.v1\.tar(\+gzip)?$/);
      assert.match(l.annotations?.['containerd.io/uncompressed'] ?? '', /^sha256:[0-9a-f]{64}$/);
      assert.ok(l.annotations?.['buildkit/createdat']);
    }
    const cc = (await blobJson(reg, 'cache/app', config.digest)) as { layers: { blob: string; parent?: number }[]; records: { digest: string; layers: { layer: number; createdAt: string }[] }[] };
    assert.equal(cc.records.length, ALL_STEPS - 1); // both stages' WORKDIR /app on the same base: one key
    for (const r of cc.records) for (const res of r.layers) assert.ok(res.layer >= 0 && res.layer < cc.layers.length);
    for (const l of cc.layers) assert.ok(index.manifests.some((m) => m.digest === l.blob));
    // only the fields of BuildKit's published types (cache/remotecache/v1/types/spec.go), so its json.Unmarshal reads all of it
    const within = (o: object, keys: string[]): void => assert.deepEqual(Object.keys(o).filter((k) => !keys.includes(k)), [], JSON.stringify(o));
    within(cc, ['layers', 'records']);
    for (const l of cc.layers as unknown as Record<string, object>[]) {
      within(l, ['blob', 'parent', 'annotations']);
      if (l.annotations) within(l.annotations, ['mediaType', 'diffID', 'size', 'createdAt']);
    }
    for (const r of cc.records) {
      within(r, ['layers', 'chains', 'digest', 'inputs']);
      for (const res of r.layers) within(res, ['layer', 'createdAt']);
      for (const res of r.layers) assert.ok(!Number.isNaN(Date.parse(res.createdAt)));
    }
  });

  it('image-manifest=true pushes an OCI image manifest whose config is the cacheconfig; another machine reads it', async function () {
    if (!hasCommand('skopeo')) skipWith(this, 'needs skopeo');
    const ref = `${reg.host}/cache/app:manifest`;
    await buildOk(rootA, ['--cache-to', `type=registry,ref=${ref},mode=max,image-manifest=true`, makeContext(files)]);
    const m = JSON.parse(execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]).toString()) as { mediaType: string; config: { mediaType: string }; layers: unknown[] };
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(m.config.mediaType, 'application/vnd.buildkit.cacheconfig.v0');
    const b = await buildOk(tmpDir('hoist-machine-b-'), ['--cache-from', `type=registry,ref=${ref}`, makeContext(files)]);
    assert.equal(cachedSteps(b.stderr).length, ALL_STEPS, b.stderr);
  });

  async function cacheConfigDigest(r: RegistryServer): Promise<string> {
    const res = await fetch(`http://${r.host}/v2/cache/app/manifests/buildcache`, { headers: { accept: 'application/vnd.oci.image.index.v1+json' } });
    const index = (await res.json()) as { manifests: { mediaType: string; digest: string }[] };
    return index.manifests.find((m) => m.mediaType === 'application/vnd.buildkit.cacheconfig.v0')!.digest;
  }
});
