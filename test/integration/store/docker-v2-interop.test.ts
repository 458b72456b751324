import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectImage } from '../../../src/image/describe-image';
import { resolveImage } from '../../../src/image/resolve-image';
import { Annotation } from '../../../src/oci/descriptor';
import { digestOf } from '../../../src/oci/digest';
import type { ImageIndex } from '../../../src/oci/manifest';
import { MediaType } from '../../../src/oci/media-types';
import { pullImage, pushImage } from '../../../src/registry';
import { prune, setTag, Store } from '../../../src/store';
import { requireCommands } from '../../helpers/capabilities';
import { buildTestImage } from '../../helpers/registry-image';
import { requireRegistry, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { tmpDir } from '../../helpers/tmp';
import { tagEntry } from './store-checks';

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

function rawOf(ref: string): Buffer {
  return execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('store: images a registry serves as Docker v2 manifests are readable by skopeo and umoci', function () {
  this.timeout(300_000);
  let reg: RegistryServer;
  let ref: string;
  let registryDigest: string;

  before(async function () {
    requireRegistry(this);
    requireCommands(this, 'skopeo', 'umoci');
    reg = await startRegistry();
    const src = await Store.open(tmpDir());
    const img = await buildTestImage(src, { layers: [{ 'etc/greeting': 'hello, docker v2\n' }, { 'usr/share/data.bin': Buffer.alloc(30_000, 7) }], gzip: true });
    await setTag(src.index, 'src', img.descriptor);
    ref = `${reg.host}/interop/docker-v2:1`;
    run('skopeo', ['copy', '--dest-tls-verify=false', '--format', 'v2s2', `oci:${src.root}:src`, `docker://${ref}`]);
    const raw = rawOf(ref);
    assert.equal((JSON.parse(raw.toString()) as { mediaType: string }).mediaType, MediaType.DockerManifest, 'the registry serves Docker v2');
    registryDigest = digestOf(raw);
  });
  after(async () => {
    await reg?.stop();
  });

  it('hoist pull records an OCI manifest (as skopeo copy docker:// oci: does) that skopeo and umoci read; the registry digest stays for RepoDigests', async () => {
    const store = await Store.open(tmpDir());
    const res = await pullImage(store, ref);
    const entry = tagEntry(store.root, ref)!;
    assert.equal(entry.mediaType, MediaType.OciManifest);
    assert.equal(entry.annotations?.[Annotation.RegistryManifest], registryDigest);
    assert.equal(res.descriptor.digest, entry.digest);
    // skopeo's own conversion gives the same manifest, but for the config: skopeo re-serialises it
    // as an OCI config (a new digest); hoist keeps the registry's, so the image ID stays docker's
    const layout = tmpDir();
    run('skopeo', ['copy', '--src-tls-verify=false', `docker://${ref}`, `oci:${layout}:x`]);
    const theirs = (JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as ImageIndex).manifests[0]!;
    const theirRaw = fs.readFileSync(path.join(layout, 'blobs', 'sha256', theirs.digest.slice(7)), 'utf8');
    const ours = fs.readFileSync(store.content.blobPath(entry.digest), 'utf8');
    const withoutConfig = (json: string): string => json.replace(/"config":\{[^}]*\}/, '"config":{}');
    assert.equal(withoutConfig(ours), withoutConfig(theirRaw), 'the OCI manifest skopeo writes, byte for byte but the config');
    const inspected = JSON.parse(run('skopeo', ['inspect', `oci:${store.root}:${ref}`])) as { Layers: string[] };
    assert.equal(inspected.Layers.length, 2);
    const bundle = path.join(tmpDir(), 'bundle');
    run('umoci', ['unpack', '--image', `${store.root}:${ref}`, bundle]);
    assert.equal(fs.readFileSync(path.join(bundle, 'rootfs', 'etc', 'greeting'), 'utf8'), 'hello, docker v2\n');
    const image = await resolveImage(store, ref);
    assert.deepEqual(inspectImage(image).RepoDigests, [`${reg.host}/interop/docker-v2@${registryDigest}`]);
    assert.equal((await resolveImage(store, `${reg.host}/interop/docker-v2@${registryDigest}`)).id, image.id, 'found by the registry digest');
  });

  it('push of the unchanged image keeps the registry digest, after a prune too; a pull by digest works and skopeo reads it', async () => {
    const store = await Store.open(tmpDir());
    await pullImage(store, ref);
    await prune(store);
    const pushed = await pushImage(store, ref, `${reg.host}/interop/again:1`);
    assert.equal(pushed.descriptor.digest, registryDigest);
    assert.equal(digestOf(rawOf(`${reg.host}/interop/again:1`)), registryDigest);
    const byDigest = `${reg.host}/interop/docker-v2@${registryDigest}`;
    const fresh = await Store.open(tmpDir());
    await pullImage(fresh, byDigest);
    assert.equal(tagEntry(fresh.root, byDigest)!.mediaType, MediaType.OciManifest);
    const inspected = JSON.parse(run('skopeo', ['inspect', `oci:${fresh.root}:${byDigest}`])) as { Layers: string[] };
    assert.equal(inspected.Layers.length, 2);
  });
});
