import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Annotation } from '../../../src/oci/descriptor';
import { MediaType } from '../../../src/oci/media-types';
import { refNameOf, Store } from '../../../src/store';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { requireCommands } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { readTar, writeTar, type TarMember } from '../../helpers/tar-builder';
import { tmpDir } from '../../helpers/tmp';

const pexec = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * An OCI archive whose manifest has Docker v2 media types, as `docker save`
 * of Docker 25+ writes (index.json, oci-layout and manifest.json): hoist load
 * records its OCI form, as pull does, so skopeo's `oci:` transport reads the tag.
 */
async function makeDocker25Archive(file: string, name: string): Promise<string> {
  const plain = path.join(path.dirname(file), 'plain.tar');
  await makeDockerArchive(plain, { tags: [] });
  const members = await readTar(plain);
  const entry = (JSON.parse(members.get('manifest.json')!.toString()) as { Config: string; Layers: string[] }[])[0]!;
  const config = members.get(entry.Config)!;
  const layers = entry.Layers.map((l) => members.get(l)!);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.DockerManifest,
      config: { mediaType: MediaType.DockerConfig, digest: `sha256:${sha(config)}`, size: config.length },
      layers: layers.map((l) => ({ mediaType: MediaType.DockerLayer, digest: `sha256:${sha(l)}`, size: l.length })),
    }),
  );
  const blob = (b: Buffer): TarMember => ({ name: `blobs/sha256/${sha(b)}`, data: b });
  const index = {
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [
      {
        mediaType: MediaType.DockerManifest,
        digest: `sha256:${sha(manifest)}`,
        size: manifest.length,
        annotations: { [Annotation.ContainerdImageName]: name, [Annotation.RefName]: name.split(':').pop()! },
      },
    ],
  };
  const dockerManifest = [{ Config: `blobs/sha256/${sha(config)}`, RepoTags: [name], Layers: layers.map((l) => `blobs/sha256/${sha(l)}`) }];
  await writeTar(file, [
    blob(config),
    ...layers.map(blob),
    blob(manifest),
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: JSON.stringify(index) },
    { name: 'manifest.json', data: JSON.stringify(dockerManifest) },
  ]);
  return `sha256:${sha(manifest)}`;
}

describe('hoist load: an OCI archive carrying a Docker v2 manifest (docker save of Docker 25+)', function () {
  this.timeout(120_000);

  it('tags the OCI form (the Docker manifest kept and named by the annotation); skopeo reads oci:ROOT:REF', async function () {
    requireCommands(this, 'skopeo');
    const work = tmpDir();
    const root = tmpDir();
    const archive = path.join(work, 'd25.tar');
    const dockerDigest = await makeDocker25Archive(archive, 'docker.io/library/d25:1');
    const res = await runHoist(['load', '-i', archive], { root });
    assert.equal(res.code, 0, res.stderr);
    const store = await Store.open(root);
    const entry = (await store.index.read()).manifests.find((m) => refNameOf(m) === 'docker.io/library/d25:1');
    assert.ok(entry, 'the name is tagged');
    assert.equal(entry.mediaType, MediaType.OciManifest);
    assert.equal(entry.annotations?.[Annotation.RegistryManifest], dockerDigest);
    assert.ok(await store.content.has(dockerDigest as never), 'the Docker manifest stays in the store');
    const { stdout } = await pexec('skopeo', ['inspect', `oci:${root}:docker.io/library/d25:1`]);
    const info = JSON.parse(stdout) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, entry.digest);
    assert.equal(info.Layers.length, 1);
  });
});
