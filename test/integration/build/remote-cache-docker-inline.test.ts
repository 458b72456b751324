import * as assert from 'node:assert/strict';
import { readCacheIndex } from '../../../src/build/cache/remote/cache-index';
import { RegistryCacheSource } from '../../../src/build/cache/remote/registry-cache-source';
import { skipWith } from '../../helpers/capabilities';
import { dockerUnavailable, startDockerd, type DockerDaemon } from '../../helpers/docker-daemon';
import { runHoist } from '../../helpers/hoist-cli';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, cachedSteps, makeContext } from './build-helpers';

/**
 * BuildKit's inline cache as Debian's Docker 20.10 writes it
 * (`--build-arg BUILDKIT_INLINE_CACHE=1`): hoist reads it as a cache, and its
 * keys (BuildKit's LLB digests) never equal hoist's (docs/remote-cache.md).
 */
describe('hoist build --cache-from an image Docker built with BUILDKIT_INLINE_CACHE=1', function () {
  this.timeout(300_000);
  let reg: RegistryServer;
  let dockerd: DockerDaemon;
  let root: string;
  let ref: string;
  let ctxDir: string;

  before(async function () {
    const why = (await runtimeUnavailable()) ?? dockerUnavailable();
    if (why) skipWith(this, why);
    requireRegistry(this);
    reg = await startRegistry();
    dockerd = await startDockerd();
    root = tmpDir('hoist-inline-');
    const base = `${reg.host}/lib/base:1`;
    await loadBusybox(root, 'base:latest');
    for (const args of [['tag', 'base:latest', base], ['push', base]]) assert.equal((await runHoist(args, { root })).code, 0);
    ctxDir = makeContext({ Dockerfile: `FROM ${base}\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n`, 'a.txt': 'a\n' });
    ref = `${reg.host}/docker/app:inline`;
    await dockerd.docker(['build', '--network=host', '--build-arg', 'BUILDKIT_INLINE_CACHE=1', '-t', ref, ctxDir], { env: { DOCKER_BUILDKIT: '1' } });
    await dockerd.docker(['push', ref]);
  });

  after(async () => {
    await dockerd?.stop();
    await reg?.stop();
  });

  it('parses its moby.buildkit.cache.v0: records whose chains are prefixes of the image layers', async () => {
    const source = new RegistryCacheSource(ref, { clientOptions: {} });
    try {
      const raw = await source.readManifest();
      assert.ok(raw !== undefined);
      const hits = await readCacheIndex(raw, (d) => source.readSmallBlob(d));
      assert.ok(hits.size >= 2, `records with results: ${hits.size}`);
      const manifest = JSON.parse(raw.toString()) as { layers: { digest: string }[] };
      for (const hit of hits.values()) {
        assert.deepEqual(
          hit.chain.map((l) => l.descriptor.digest),
          manifest.layers.slice(0, hit.chain.length).map((l) => l.digest),
        );
      }
    } finally {
      await source.close();
    }
  });

  it("reads it without a warning, and none of its keys is one of hoist's (every step runs)", async () => {
    const fresh = tmpDir('hoist-inline-b-');
    const r = await buildOk(fresh, ['--cache-from', ref, ctxDir]);
    assert.doesNotMatch(r.stderr, /cache import: .* ignored/);
    assert.deepEqual(cachedSteps(r.stderr), []);
  });
});
