import { strict as assert } from 'node:assert';
import { recordImage } from '../../../src/image/record-image';
import { Annotation } from '../../../src/oci/descriptor';
import { digestOf } from '../../../src/oci/digest';
import { MediaType } from '../../../src/oci/media-types';
import { refNameOf } from '../../../src/store';
import { tempStores } from '../../helpers/temp-stores';

const stores = tempStores('record-image');
const config = { mediaType: MediaType.DockerConfig, digest: digestOf(Buffer.from('{}')), size: 2 };
const layer = { mediaType: MediaType.DockerLayerGzip, digest: digestOf(Buffer.from('layer')), size: 5 };
const docker = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.DockerManifest, config, layers: [layer] }));
const oci = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { ...config, mediaType: MediaType.OciConfig },
    layers: [{ ...layer, mediaType: MediaType.OciLayerGzip }],
  }),
);
const platform = { architecture: 'amd64', os: 'linux' };

describe('recordImage: a manifest becomes index.json entries', () => {
  after(() => stores.removeAll());

  it('tags every name with the OCI form of a Docker v2 manifest, the original kept and named by the annotation', async () => {
    const store = await stores.newStore();
    const r = await recordImage(store, { rawManifest: docker, platform, tags: ['docker.io/library/a:1', 'docker.io/library/b:2'] });
    assert.equal(r.manifest.digest, digestOf(docker));
    assert.equal(r.manifest.mediaType, MediaType.DockerManifest);
    assert.equal(r.descriptor.digest, digestOf(oci), 'the OCI form is the same manifest with renamed media types, compact');
    assert.deepEqual(r.descriptor.annotations, { [Annotation.RegistryManifest]: digestOf(docker) });
    assert.ok(await store.content.has(digestOf(docker)));
    assert.ok(await store.content.has(digestOf(oci)));
    const entries = (await store.index.read()).manifests;
    assert.deepEqual(entries.map(refNameOf).sort(), ['docker.io/library/a:1', 'docker.io/library/b:2']);
    for (const e of entries) {
      assert.equal(e.digest, digestOf(oci));
      assert.deepEqual(e.platform, platform);
    }
  });

  it('records an OCI manifest as it is; no names: one untagged entry', async () => {
    const store = await stores.newStore();
    const r = await recordImage(store, { rawManifest: oci, tags: [] });
    assert.deepEqual(r.descriptor, { mediaType: MediaType.OciManifest, digest: digestOf(oci), size: oci.length });
    const entries = (await store.index.read()).manifests;
    assert.equal(entries.length, 1);
    assert.equal(entries[0]!.digest, digestOf(oci));
    assert.equal(refNameOf(entries[0]!), undefined);
  });

  it('without tags (pull --tag=false) writes the blobs and no index entry', async () => {
    const store = await stores.newStore();
    await recordImage(store, { rawManifest: docker });
    assert.equal((await store.index.read()).manifests.length, 0);
    assert.ok(await store.content.has(digestOf(oci)));
  });
});
