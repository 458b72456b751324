import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { refNameOf, Store } from '../../../src/store';
import { busyboxLayer, makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { requireCommands, skipWith } from '../../helpers/capabilities';
import { dockerUnavailable, startDockerd, type DockerDaemon } from '../../helpers/docker-daemon';
import { runHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { validateStoredImage } from '../../helpers/validate-image';

const pexec = promisify(execFile);

function fileSha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('interop: skopeo and umoci read what hoist writes, hoist reads what they write', function () {
  this.timeout(120_000);
  let work: string;
  let root: string;
  let manifestDigest: string;

  before(async function () {
    requireCommands(this, 'skopeo', 'umoci');
    work = tmpDir();
    root = tmpDir();
    const archive = path.join(work, 'bb.tar');
    await makeDockerArchive(archive, { tags: ['bb:1'], config: { Entrypoint: ['/bin/echo'], Cmd: ['hi'] } });
    assert.equal((await runHoist(['load', '-i', archive], { root })).code, 0);
    const store = await Store.open(root);
    manifestDigest = (await store.index.read()).manifests.find((m) => refNameOf(m) === 'docker.io/library/bb:1')!.digest;
  });

  it('skopeo inspects the store as an OCI layout by the full reference', async () => {
    const { stdout } = await pexec('skopeo', ['inspect', `oci:${root}:docker.io/library/bb:1`]);
    const info = JSON.parse(stdout) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, manifestDigest);
    assert.equal(info.Layers.length, 1);
  });

  it('skopeo reads a hoist save archive both as docker-archive and as oci-archive', async () => {
    const out = path.join(work, 'saved.tar');
    assert.equal((await runHoist(['save', 'bb:1', '-o', out], { root })).code, 0);
    const viaDocker = JSON.parse((await pexec('skopeo', ['inspect', `docker-archive:${out}`])).stdout) as { Layers: string[] };
    const viaOci = JSON.parse((await pexec('skopeo', ['inspect', `oci-archive:${out}:1`])).stdout) as { Digest: string; Layers: string[] };
    assert.equal(viaOci.Digest, manifestDigest);
    assert.deepEqual(viaDocker.Layers, viaOci.Layers);
  });

  it('umoci unpacks an image from the store into a runtime bundle', async () => {
    const bundle = path.join(work, 'bundle');
    await pexec('umoci', ['unpack', '--image', `${root}:docker.io/library/bb:1`, bundle]);
    assert.equal(fileSha(path.join(bundle, 'rootfs', 'bin', 'busybox')), fileSha('/bin/busybox'));
    assert.equal(fs.readlinkSync(path.join(bundle, 'rootfs', 'bin', 'sh')), 'busybox');
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { process: { args: string[] } };
    assert.deepEqual(spec.process.args, ['/bin/echo', 'hi']);
  });

  it('hoist loads an oci-archive written by skopeo, with gzip layers, and the store validates', async () => {
    const src = path.join(work, 'two.tar');
    await makeDockerArchive(src, { tags: ['two:1'], layers: [busyboxLayer(), [{ path: 'hello.txt', content: 'hello\n' }]] });
    const ociArchive = path.join(work, 'skopeo-oci.tar');
    await pexec('skopeo', ['copy', '--dest-compress', `docker-archive:${src}`, `oci-archive:${ociArchive}:example.com/from/skopeo:2`]);
    const r2 = tmpDir();
    const r = await runHoist(['load', '-i', ociArchive], { root: r2 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Loaded image: example.com/from/skopeo:2\n');
    const store = await Store.open(r2);
    const entry = (await store.index.read()).manifests[0]!;
    validateStoredImage(store, entry);
    const skopeoView = JSON.parse((await pexec('skopeo', ['inspect', `oci-archive:${ociArchive}`])).stdout) as { Digest: string };
    assert.equal(entry.digest, skopeoView.Digest, 'same manifest digest');
    const layerMedia = JSON.parse(fs.readFileSync(store.content.blobPath(entry.digest), 'utf8')).layers[0].mediaType as string;
    assert.match(layerMedia, /gzip/);
  });

  it('hoist loads an OCI layout made by umoci (tarred) and skopeo reads it back from the store', async () => {
    const layout = path.join(work, 'umoci-layout');
    await pexec('umoci', ['init', '--layout', layout]);
    await pexec('umoci', ['new', '--image', `${layout}:base`]);
    await pexec('umoci', ['config', '--image', `${layout}:base`, '--config.cmd', '/bin/true', '--tag', 'example.com/umoci/img:3']);
    const tarFile = path.join(work, 'umoci.tar');
    await pexec('tar', ['-C', layout, '-cf', tarFile, '.']);
    const r2 = tmpDir();
    const r = await runHoist(['load', '-i', tarFile], { root: r2 });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Loaded image: example.com\/umoci\/img:3/);
    const info = JSON.parse((await pexec('skopeo', ['inspect', `oci:${r2}:example.com/umoci/img:3`])).stdout) as { Layers: string[] };
    assert.deepEqual(info.Layers, []);
  });
});

describe('interop: docker save -> hoist load -> hoist save -> docker load', function () {
  this.timeout(180_000);
  let dockerd: DockerDaemon | undefined;
  let work: string;

  before(async function () {
    const why = dockerUnavailable();
    if (why !== undefined) skipWith(this, why);
    dockerd = await startDockerd();
    work = tmpDir();
  });

  after(async () => {
    await dockerd?.stop();
  });

  it('round-trips with identical image ID and layer digests', async () => {
    const d = dockerd!;
    const archive = path.join(work, 'fixture.tar');
    await makeDockerArchive(archive, { tags: ['rt:1'], layers: [busyboxLayer(), [{ path: 'etc/x.conf', content: 'x=1\n' }]] });
    await d.docker(['load', '-i', archive]);
    // a second, docker-made layer on top (a real `docker commit` of a container would need runc networking; tag is enough)
    await d.docker(['tag', 'rt:1', 'example.com/rt/two:latest']);
    const before = JSON.parse((await d.docker(['image', 'inspect', 'rt:1'])).stdout)[0] as { Id: string; RootFS: { Layers: string[] } };
    const dockerSaved = path.join(work, 'docker-saved.tar');
    await d.docker(['save', '-o', dockerSaved, 'rt:1', 'example.com/rt/two:latest']);
    const root = tmpDir();
    const l = await runHoist(['load', '-i', dockerSaved], { root });
    assert.equal(l.code, 0, l.stderr);
    assert.match(l.stdout, /Loaded image: rt:1/);
    assert.match(l.stdout, /Loaded image: example.com\/rt\/two:latest/);
    const hoistSaved = path.join(work, 'hoist-saved.tar');
    assert.equal((await runHoist(['save', 'rt:1', 'example.com/rt/two', '-o', hoistSaved], { root })).code, 0);
    await d.docker(['rmi', 'rt:1', 'example.com/rt/two:latest']);
    const loaded = await d.docker(['load', '-i', hoistSaved]);
    assert.match(loaded.stdout, /Loaded image: rt:1/);
    const after = JSON.parse((await d.docker(['image', 'inspect', 'rt:1'])).stdout)[0] as { Id: string; RootFS: { Layers: string[] } };
    assert.equal(after.Id, before.Id);
    assert.deepEqual(after.RootFS.Layers, before.RootFS.Layers);
    const two = JSON.parse((await d.docker(['image', 'inspect', 'example.com/rt/two:latest'])).stdout)[0] as { Id: string };
    assert.equal(two.Id, before.Id);
    const ours = JSON.parse((await runHoist(['inspect', 'rt:1'], { root })).stdout)[0] as { Id: string; RootFS: { Layers: string[] } };
    assert.equal(ours.Id, before.Id);
    assert.deepEqual(ours.RootFS.Layers, before.RootFS.Layers);
  });

  it('round-trips a `docker import`ed image with the same image ID', async () => {
    const d = dockerd!;
    const rootfs = path.join(work, 'rootfs.tar');
    await pexec('tar', ['-C', path.dirname('/bin/busybox'), '-cf', rootfs, 'busybox']);
    await d.docker(['import', '-c', 'CMD ["/busybox","true"]', rootfs, 'imported:1']);
    const id = JSON.parse((await d.docker(['image', 'inspect', 'imported:1'])).stdout)[0].Id as string;
    const saved = path.join(work, 'imported.tar');
    await d.docker(['save', '-o', saved, 'imported:1']);
    const root = tmpDir();
    assert.equal((await runHoist(['load', '-i', saved], { root })).code, 0);
    const again = path.join(work, 'imported-again.tar');
    assert.equal((await runHoist(['save', 'imported:1', '-o', again], { root })).code, 0);
    await d.docker(['rmi', 'imported:1']);
    await d.docker(['load', '-i', again]);
    assert.equal(JSON.parse((await d.docker(['image', 'inspect', 'imported:1'])).stdout)[0].Id, id);
  });
});
