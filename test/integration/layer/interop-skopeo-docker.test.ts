import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyLayer } from '../../../src/layer';
import { Store } from '../../../src/store';
import { dockerUnavailable, startDockerd } from '../../helpers/docker-daemon';
import { buildImage } from '../../helpers/layer-image';
import { hasCommand, makeBusyboxRootfs, readLayoutManifest, run, writeOciLayout } from '../../helpers/layer-interop';
import { describeTree, makeTempDir, requireRoot } from '../../helpers/layer-tree';
import { skipWith } from '../../helpers/capabilities';

/**
 * Applies every layer of a layout's image with hoist and unpacks it (or, for
 * zstd, which umoci 0.4 cannot read, the same image in gzip) with umoci; both
 * trees must match.
 */
async function hoistAndUmociAgree(layout: string, ref: string, work: string, umociLayout = layout): Promise<number> {
  const { manifest, blob } = readLayoutManifest(layout, ref);
  const mine = path.join(work, 'hoist-rootfs');
  fs.mkdirSync(mine);
  for (const layer of manifest.layers) await applyLayer(fs.createReadStream(blob(layer), { highWaterMark: 1 << 20 }), mine);
  const bundle = path.join(work, 'umoci-bundle');
  run('umoci', ['unpack', '--image', `${umociLayout}:${ref}`, bundle]);
  const theirs = await describeTree(path.join(bundle, 'rootfs'));
  assert.deepEqual(await describeTree(mine), theirs);
  return theirs.length;
}

describe('interop: layers written by skopeo and docker apply identically with hoist and umoci', function () {
  let tmp: ReturnType<typeof makeTempDir>;
  let archive: string;
  before(async function () {
    requireRoot(this, 'umoci keeps owners only as root');
    for (const cmd of ['skopeo', 'umoci']) {
      if (!hasCommand(cmd)) {
        skipWith(this, `${cmd} is not installed`);
      }
    }
    tmp = makeTempDir('hoist-skopeo-');
    const store = await Store.open(path.join(tmp.dir, 'store'));
    const image = await buildImage(store, path.join(tmp.dir, 'build'), [
      makeBusyboxRootfs,
      (r) => {
        fs.rmSync(path.join(r, 'etc/group'));
        fs.mkdirSync(path.join(r, 'srv/app'), { recursive: true });
        fs.writeFileSync(path.join(r, 'srv/app/run.sh'), '#!/bin/sh\necho hoist\n', { mode: 0o755 });
      },
    ]);
    writeOciLayout(path.join(tmp.dir, 'hoist-layout'), store, image.manifestDescriptor, 'test');
    archive = path.join(tmp.dir, 'busybox-docker.tar');
    run('skopeo', ['copy', `oci:${tmp.dir}/hoist-layout:test`, `docker-archive:${archive}:hoist/busybox:latest`]);
  });
  after(() => tmp?.cleanup());

  it('skopeo-written layers (docker-archive -> OCI layout, gzip and zstd)', async () => {
    for (const format of ['gzip', 'zstd']) {
      const layout = path.join(tmp.dir, `skopeo-${format}`);
      run('skopeo', ['copy', '--dest-compress', '--dest-compress-format', format, `docker-archive:${archive}`, `oci:${layout}:test`]);
      const work = path.join(tmp.dir, `work-${format}`);
      fs.mkdirSync(work);
      assert.ok((await hoistAndUmociAgree(layout, 'test', work, path.join(tmp.dir, 'skopeo-gzip'))) > 100);
    }
  });

  it('docker-written layers (docker build, docker save)', async function () {
    const why = dockerUnavailable();
    if (why !== undefined) {
      skipWith(this, `${why}`);
    }
    this.timeout(180_000);
    const dockerd = await startDockerd();
    try {
      await dockerd.docker(['load', '-i', archive]);
      const ctx = path.join(tmp.dir, 'ctx');
      fs.mkdirSync(ctx);
      fs.writeFileSync(path.join(ctx, 'hello.txt'), 'from the context\n');
      fs.writeFileSync(
        path.join(ctx, 'Dockerfile'),
        ['FROM hoist/busybox:latest', 'RUN rm /srv/app/run.sh && mkdir -p /data/deep && echo hi > /data/deep/file && ln /data/deep/file /data/hard', 'RUN rm -rf /srv && mkdir /srv && echo new > /srv/only', 'COPY hello.txt /etc/hello.txt', ''].join('\n'),
      );
      await dockerd.docker(['build', '--network=host', '-t', 'hoist/built:latest', ctx], { env: { DOCKER_BUILDKIT: '0' } });
      const saved = path.join(tmp.dir, 'built.tar');
      await dockerd.docker(['save', '-o', saved, 'hoist/built:latest']);
      const layout = path.join(tmp.dir, 'docker-layout');
      run('skopeo', ['copy', `docker-archive:${saved}`, `oci:${layout}:test`]);
      const work = path.join(tmp.dir, 'work-docker');
      fs.mkdirSync(work);
      assert.ok((await hoistAndUmociAgree(layout, 'test', work)) > 100);
      assert.equal(fs.readFileSync(path.join(work, 'hoist-rootfs/srv/only'), 'utf8'), 'new\n');
      assert.equal(fs.existsSync(path.join(work, 'hoist-rootfs/srv/app')), false);
    } finally {
      await dockerd.stop();
    }
  });
});
