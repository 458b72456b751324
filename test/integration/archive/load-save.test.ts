import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store, refNameOf } from '../../../src/store';
import { makeDockerArchive, busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { runHoist } from '../../helpers/hoist-cli';
import { assertSchemaValid } from '../../helpers/oci-schemas';
import { readTar } from '../../helpers/tar-builder';
import { tmpDir } from '../../helpers/tmp';
import { validateStoredImage } from '../../helpers/validate-image';

describe('hoist load / save (docker-archive and OCI archive)', function () {
  this.timeout(120_000);
  let work: string;
  let archive: string;
  let imageId: string;

  before(async () => {
    work = tmpDir();
    archive = path.join(work, 'bb.tar');
    const two = [
      busyboxLayer(),
      [
        { path: 'etc', type: 'directory' as const, mode: 0o755 },
        { path: 'etc/motd', content: 'second layer\n' },
      ],
    ];
    imageId = (await makeDockerArchive(archive, { tags: ['bb:1', 'example.com/team/bb:v2'], layers: two })).id;
  });

  it('loads a legacy docker-archive, tags every RepoTag, and the image validates', async () => {
    const root = tmpDir();
    const r = await runHoist(['load', '-i', archive], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Loaded image: bb:1\nLoaded image: example.com/team/bb:v2\n');
    const store = await Store.open(root);
    const idx = await store.index.read();
    assertSchemaValid('index', idx);
    assertSchemaValid('layout', JSON.parse(fs.readFileSync(path.join(root, 'oci-layout'), 'utf8')));
    assert.deepEqual(idx.manifests.map(refNameOf).sort(), ['docker.io/library/bb:1', 'example.com/team/bb:v2']);
    for (const m of idx.manifests) validateStoredImage(store, m);
    const inspect = JSON.parse((await runHoist(['inspect', 'bb:1'], { root })).stdout) as Record<string, unknown>[];
    assert.equal(inspect.length, 1);
    assert.equal(inspect[0]!.Id, imageId);
    assert.deepEqual((inspect[0]!.RepoTags as string[]).sort(), ['bb:1', 'example.com/team/bb:v2']);
    assert.equal((inspect[0]!.RootFS as { Layers: string[] }).Layers.length, 2);
    assert.deepEqual((inspect[0]!.Config as { Cmd: string[] }).Cmd, ['sh']);
  });

  it('loads from stdin and from a gzip-compressed archive', async () => {
    const root = tmpDir();
    const r = await runHoist(['load'], { root, input: fs.readFileSync(archive) });
    assert.equal(r.code, 0, r.stderr);
    const gz = path.join(work, 'bb.tar.gz');
    fs.writeFileSync(gz, require('node:zlib').gzipSync(fs.readFileSync(archive)));
    const root2 = tmpDir();
    const r2 = await runHoist(['load', '-q', '-i', gz], { root: root2 });
    assert.equal(r2.code, 0, r2.stderr);
    assert.equal(r2.stdout, '');
    const ids = (await runHoist(['images', '-q'], { root: root2 })).stdout.trim();
    assert.equal(ids, imageId.slice(7, 19));
  });

  it('saves a docker-archive that is also an OCI layout, and loads it back identically', async () => {
    const root = tmpDir();
    await runHoist(['load', '-i', archive], { root });
    const out = path.join(work, 'saved.tar');
    const s = await runHoist(['save', 'bb:1', '-o', out], { root });
    assert.equal(s.code, 0, s.stderr);
    const members = await readTar(out);
    const index = JSON.parse(members.get('index.json')!.toString());
    assertSchemaValid('index', index);
    assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/library/bb:1');
    assert.equal(index.manifests[0].annotations['org.opencontainers.image.ref.name'], '1');
    const dm = JSON.parse(members.get('manifest.json')!.toString());
    assert.deepEqual(dm[0].RepoTags, ['bb:1']);
    assert.equal(dm[0].Config, `blobs/sha256/${imageId.slice(7)}`);
    for (const l of dm[0].Layers) assert.ok(members.has(l), `layer ${l} in archive`);
    assert.deepEqual(JSON.parse(members.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
    const root2 = tmpDir();
    const l = await runHoist(['load', '-i', out], { root: root2 });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(l.stdout, 'Loaded image: bb:1\n');
    const a = await Store.open(root);
    const b = await Store.open(root2);
    const ea = (await a.index.read()).manifests.find((m) => refNameOf(m) === 'docker.io/library/bb:1')!;
    const eb = (await b.index.read()).manifests[0]!;
    assert.equal(eb.digest, ea.digest, 'manifest digest survives save+load');
  });

  it('saves to stdout when it is not a terminal', async () => {
    const root = tmpDir();
    await runHoist(['load', '-i', archive], { root });
    const r = await runHoist(['save', 'example.com/team/bb:v2'], { root });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.length > 1_000_000);
  });

  it('reports unknown images with exit status 1 and usage errors with 2', async () => {
    const root = tmpDir();
    const r = await runHoist(['save', 'nope:1', '-o', path.join(work, 'x.tar')], { root });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'hoist: No such image: nope:1\n');
    assert.ok(!fs.existsSync(path.join(work, 'x.tar')));
    const u = await runHoist(['save'], { root });
    assert.equal(u.code, 2);
    const i = await runHoist(['inspect', 'nope'], { root });
    assert.equal(i.code, 1);
    assert.equal(i.stdout.trim(), '[]');
  });
});
