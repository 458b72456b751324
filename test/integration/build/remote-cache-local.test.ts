import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, cachedSteps, imageId, makeContext } from './build-helpers';

const FILES = {
  Dockerfile: `FROM base AS deps
COPY lib.txt /lib.txt
RUN cat /lib.txt > /deps.out

FROM base
COPY --from=deps /deps.out /deps.out
COPY main.txt /main.txt
RUN cat /deps.out /main.txt > /all.out
CMD ["cat", "/all.out"]
`,
  'lib.txt': 'lib v1\n',
  'main.txt': 'main v1\n',
};
const ALL_STEPS = 5;

interface Layout {
  index: { manifests: { digest: string }[] };
  manifest: { manifests: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] };
}

function blobFile(dir: string, digest: string): string {
  return path.join(dir, 'blobs', 'sha256', digest.slice(7));
}

function readLayout(dir: string): Layout {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as Layout['index'];
  return { index, manifest: JSON.parse(fs.readFileSync(blobFile(dir, index.manifests[0]!.digest), 'utf8')) as Layout['manifest'] };
}

/** A copy of the cache dir with its manifest (and config) rewritten by `edit`, index.json pointing at the result. */
function tampered(src: string, edit: (m: Layout['manifest'], config: { layers: unknown[]; records: { layers?: { layer: number }[] }[] }, dir: string) => void): string {
  const dir = tmpDir('hoist-hostile-cache-');
  fs.cpSync(src, dir, { recursive: true });
  const { manifest } = readLayout(dir);
  const cfgDesc = manifest.manifests.find((m) => m.mediaType === 'application/vnd.buildkit.cacheconfig.v0')!;
  const config = JSON.parse(fs.readFileSync(blobFile(dir, cfgDesc.digest), 'utf8')) as Parameters<typeof edit>[1];
  edit(manifest, config, dir);
  const put = (data: string): { digest: string; size: number } => {
    const { createHash } = require('node:crypto') as typeof import('node:crypto'); // eslint-disable-line @typescript-eslint/no-require-imports
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    fs.writeFileSync(blobFile(dir, digest), data);
    return { digest, size: Buffer.byteLength(data) };
  };
  Object.assign(cfgDesc, put(JSON.stringify(config)));
  const m = put(JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }));
  return dir;
}

describe('hoist build: a local cache directory (--cache-to type=local / --cache-from type=local), and hostile caches', function () {
  this.timeout(300_000);
  let cacheDir: string;
  let idA: string;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    cacheDir = path.join(tmpDir('hoist-local-cache-'), 'ci-cache');
  });

  async function machine(): Promise<string> {
    const root = tmpDir('hoist-machine-');
    await loadBusybox(root, 'base:latest');
    return root;
  }

  it('A writes an OCI layout; B reads it: every step CACHED, the same image ID', async () => {
    const rootA = await machine();
    await buildOk(rootA, ['-t', 'app', '--cache-to', `type=local,dest=${cacheDir},mode=max`, makeContext(FILES)]);
    idA = await imageId(rootA, 'app');
    assert.ok(fs.existsSync(path.join(cacheDir, 'oci-layout')));
    const { index, manifest } = readLayout(cacheDir);
    assert.equal(index.manifests.length, 1);
    assert.ok(manifest.manifests.some((m) => m.mediaType === 'application/vnd.buildkit.cacheconfig.v0'));

    const rootB = await machine();
    const b = await buildOk(rootB, ['-t', 'app', '--cache-from', `type=local,src=${cacheDir}`, makeContext(FILES)]);
    assert.equal(cachedSteps(b.stderr).length, ALL_STEPS, b.stderr);
    assert.equal(await imageId(rootB, 'app'), idA);
  });

  it('compression=zstd exports zstd layers (same diffIDs); a build from them hits every step with the same image ID', async () => {
    const dir = path.join(tmpDir('hoist-zstd-cache-'), 'c');
    const rootA = await machine();
    await buildOk(rootA, ['-t', 'app', '--cache-to', `type=local,dest=${dir},mode=max,compression=zstd`, makeContext(FILES)]);
    const { manifest } = readLayout(dir);
    const layers = manifest.manifests.filter((m) => m.mediaType !== 'application/vnd.buildkit.cacheconfig.v0');
    assert.ok(layers.length > 0 && layers.every((m) => m.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'), JSON.stringify(layers));
    const rootB = await machine();
    const b = await buildOk(rootB, ['-t', 'app', '--cache-from', `type=local,src=${dir}`, makeContext(FILES)]);
    assert.equal(cachedSteps(b.stderr).length, ALL_STEPS, b.stderr);
    assert.equal(await imageId(rootB, 'app'), await imageId(rootA, 'app'));
  });

  it('a missing cache is a warning, not an error', async () => {
    const r = await buildOk(await machine(), ['--cache-from', `type=local,src=${path.join(cacheDir, 'nope')}`, '--cache-from', 'type=registry,ref=127.0.0.1:1/none:latest', makeContext(FILES)]);
    assert.match(r.stderr, /cache import: local .*nope not found/);
    assert.match(r.stderr, /cache import: registry 127\.0\.0\.1:1\/none:latest ignored/);
  });

  it('a failed export fails the build unless ignore-error=true, which makes it a warning', async () => {
    const root = await machine();
    const bad = await runHoist(['build', '--progress', 'plain', '--cache-to', 'type=registry,ref=127.0.0.1:1/none:cache', makeContext(FILES)], { root });
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /cache export failed/);
    const ok = await buildOk(root, ['--cache-to', 'type=registry,ref=127.0.0.1:1/none:cache,ignore-error=true', makeContext(FILES)]);
    assert.match(ok.stderr, /cache export to registry failed \(ignore-error=true\)/);
  });

  it("a secret's content is in no exported key or blob, and another machine with another secret hits", async () => {
    const dir = path.join(tmpDir('hoist-secret-cache-'), 'c');
    const files = { Dockerfile: 'FROM base\nRUN --mount=type=secret,id=token test -s /run/secrets/token && echo built > /out\n' };
    const secretA = path.join(tmpDir('hoist-secret-'), 'token');
    fs.writeFileSync(secretA, 'SECRET-VALUE-OF-MACHINE-A');
    await buildOk(await machine(), ['--secret', `id=token,src=${secretA}`, '--cache-to', `type=local,dest=${dir},mode=max`, makeContext(files)]);
    const blobs = fs.readdirSync(path.join(dir, 'blobs', 'sha256'));
    for (const b of blobs) {
      const raw = fs.readFileSync(path.join(dir, 'blobs', 'sha256', b));
      const bytes = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
      assert.ok(!bytes.includes('SECRET-VALUE'), `blob ${b} holds the secret`);
    }
    const secretB = path.join(tmpDir('hoist-secret-'), 'token');
    fs.writeFileSync(secretB, 'another value on machine B');
    const b = await buildOk(await machine(), ['--secret', `id=token,src=${secretB}`, '--cache-from', `type=local,src=${dir}`, makeContext(files)]);
    assert.equal(cachedSteps(b.stderr).length, 1, b.stderr);
  });

  const hostile: [string, (m: Layout['manifest'], c: Parameters<Parameters<typeof tampered>[1]>[1], dir: string) => void, RegExp][] = [
    ['a record pointing outside the layer list', (_m, c) => (c.records[0]!.layers = [{ layer: 999 }]), /ignored \(invalid cache: record 0: layer 999 is outside the list\)/],
    [
      'a layer that does not match its diffID',
      (m, c) => {
        // every layer the build made claims another diffID (a layer only a builder stage holds is never fetched, so never checked)
        const wrong = `sha256:${'0'.repeat(64)}`;
        for (const l of m.manifests.filter((x) => x.mediaType.endsWith('+gzip'))) {
          for (const cl of c.layers as { blob: string; annotations?: { diffID?: string } }[]) if (cl.blob === l.digest && cl.annotations) cl.annotations.diffID = wrong;
          l.annotations!['containerd.io/uncompressed'] = wrong;
        }
      },
      /has diffID sha256:[0-9a-f]{64}, the cache claims sha256:0{64}; building again without local/,
    ],
    [
      'a blob whose bytes do not match its digest',
      (m, _c, dir) => {
        for (const l of m.manifests.filter((x) => x.mediaType.endsWith('+gzip'))) fs.writeFileSync(blobFile(dir, l.digest), Buffer.alloc(l.size, 7));
      },
      /building again without local/,
    ],
  ];
  for (const [what, edit, warning] of hostile) {
    it(`ignores ${what}: a warning, and the build runs as if the cache were not there`, async () => {
      const dir = tampered(cacheDir, edit);
      const root = await machine();
      const r = await buildOk(root, ['-t', 'app', '--cache-from', `type=local,src=${dir}`, makeContext(FILES)]);
      assert.match(r.stderr, warning);
      const out = await runHoist(['run', '--rm', 'app'], { root });
      assert.equal(out.stdout, 'lib v1\nmain v1\n');
    });
  }

  it('ignores a truncated manifest', async () => {
    const dir = tmpDir('hoist-hostile-cache-');
    fs.cpSync(cacheDir, dir, { recursive: true });
    const { index } = readLayout(dir);
    const file = blobFile(dir, index.manifests[0]!.digest);
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    const r = await buildOk(await machine(), ['--cache-from', `type=local,src=${dir}`, makeContext(FILES)]);
    assert.match(r.stderr, /cache import: local .* ignored/);
    assert.deepEqual(cachedSteps(r.stderr), []);
  });
});
