import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { registryDigestOf } from '../../../src/oci/descriptor';
import type { Digest } from '../../../src/oci/digest';
import { MediaType } from '../../../src/oci/media-types';
import { parseManifest } from '../../../src/oci/parse-documents';
import { pullImage, pushImage } from '../../../src/registry';
import { readBlobCapped } from '../../../src/store/helpers';
import { Store } from '../../../src/store/store';
import { dockerUnavailable, startDockerd, type DockerDaemon } from '../../helpers/docker-daemon';
import { buildTestImage } from '../../helpers/registry-image';
import { hasRegistry, mkTemp, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { skipWith } from '../../helpers/capabilities';

const BUSYBOX = '/bin/busybox';

describe('registry: interop with docker (own dockerd)', function () {
  this.timeout(180_000);
  let reg: RegistryServer;
  let dockerd: DockerDaemon | undefined;
  const docker = async (args: string[]): Promise<string> => (await dockerd!.docker(args)).stdout;
  let dir: string;

  before(async function () {
    if (!hasRegistry() || !fs.existsSync(BUSYBOX)) {
      skipWith(this, 'needs docker-registry and busybox-static');
    }
    const why = dockerUnavailable();
    if (why !== undefined) {
      skipWith(this, `${why}`);
    }
    dockerd = await startDockerd();
    dir = mkTemp('docker');
    reg = await startRegistry();
  });
  after(async () => {
    await dockerd?.stop();
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('docker push -> hoist pull: same registry digest, the Docker v2 manifest kept beside the OCI form the tag names', async () => {
    const rootfs = path.join(dir, 'rootfs');
    fs.mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
    fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'));
    fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
    fs.writeFileSync(path.join(rootfs, 'hello.txt'), 'from docker\n');
    const tarFile = path.join(dir, 'rootfs.tar');
    execFileSync('/bin/tar', ['-C', rootfs, '-cf', tarFile, '.']);
    const ref = `${reg.host}/docker/busybox:1`;
    await docker(['import', tarFile, ref]);
    await docker(['push', ref]);
    const repoDigest = (await docker(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', ref])).trim();
    const digest = repoDigest.slice(repoDigest.indexOf('@') + 1);
    const store = await Store.open(path.join(dir, 'store'));
    const pulled = await pullImage(store, ref);
    // tagged as its OCI form (skopeo and umoci read only those), the registry's manifest kept beside it
    assert.equal(registryDigestOf(pulled.descriptor), digest);
    assert.equal(pulled.descriptor.mediaType, MediaType.OciManifest);
    const info = await store.content.info(digest as Digest);
    const m = parseManifest(await readBlobCapped(store.content, { digest: digest as Digest, size: info.size }));
    assert.equal(m.mediaType, MediaType.DockerManifest);
    assert.equal(m.layers[0]!.mediaType, MediaType.DockerLayerGzip);
    assert.ok(await store.content.has(m.layers[0]!.digest));
    const oci = parseManifest(await readBlobCapped(store.content, pulled.descriptor));
    assert.equal(oci.layers[0]!.mediaType, MediaType.OciLayerGzip);
    assert.equal(oci.layers[0]!.digest, m.layers[0]!.digest);
  });

  it('hoist push (uncompressed OCI layers) -> docker pull and docker run read the files', async () => {
    const store = await Store.open(path.join(dir, 'store2'));
    const ref = `${reg.host}/hoist/busybox:1`;
    const img = await buildTestImage(
      store,
      { layers: [{ 'bin/busybox': { data: fs.readFileSync(BUSYBOX), mode: 0o755 } }, { 'etc/greeting': 'hello from hoist\n' }] },
      ref,
    );
    await pushImage(store, ref);
    await docker(['pull', ref]);
    const repoDigest = (await docker(['image', 'inspect', '--format', '{{index .RepoDigests 0}}', ref])).trim();
    assert.equal(repoDigest.slice(repoDigest.indexOf('@') + 1), img.descriptor.digest);
    const out = await docker(['run', '--rm', '--network', 'none', ref, '/bin/busybox', 'cat', '/etc/greeting']);
    assert.equal(out, 'hello from hoist\n');
  });
});
