import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../fixtures/images/make-busybox-image';
import { Store } from '../../src/store';
import { runHoist } from '../../test/helpers/hoist-cli';
import { assertSchemaValid } from '../../test/helpers/oci-schemas';
import { readTar } from '../../test/helpers/tar-builder';
import { tmpDir } from '../../test/helpers/tmp';

/** What hoist writes is checked against the OCI image-spec JSON schemas (spec/image-spec/schema). */
describe('spec: OCI image-spec schemas validate what hoist writes', function () {
  this.timeout(60_000);
  let root: string;
  let saved: Map<string, Buffer>;

  before(async function () {
    const work = tmpDir();
    root = tmpDir();
    const archive = path.join(work, 'a.tar');
    await makeDockerArchive(archive, { tags: ['spec:1'], config: { Entrypoint: ['/bin/sh'], ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b' } } });
    assert.equal((await runHoist(['load', '-i', archive], { root })).code, 0);
    const out = path.join(work, 'saved.tar');
    assert.equal((await runHoist(['save', 'spec:1', '-o', out], { root })).code, 0);
    saved = await readTar(out);
  });

  it('the store: oci-layout, index.json, every manifest and config', async () => {
    assertSchemaValid('layout', JSON.parse(fs.readFileSync(path.join(root, 'oci-layout'), 'utf8')));
    const store = await Store.open(root);
    const index = await store.index.read();
    assertSchemaValid('index', index);
    for (const m of index.manifests) {
      assertSchemaValid('descriptor', m);
      const manifest = JSON.parse(fs.readFileSync(store.content.blobPath(m.digest), 'utf8'));
      assertSchemaValid('manifest', manifest);
      assertSchemaValid('config', JSON.parse(fs.readFileSync(store.content.blobPath(manifest.config.digest), 'utf8')));
    }
  });

  it('a saved archive: index.json, oci-layout and its blobs', () => {
    const index = JSON.parse(saved.get('index.json')!.toString());
    assertSchemaValid('index', index);
    assertSchemaValid('layout', JSON.parse(saved.get('oci-layout')!.toString()));
    const manifest = JSON.parse(saved.get(`blobs/sha256/${index.manifests[0].digest.slice(7)}`)!.toString());
    assertSchemaValid('manifest', manifest);
  });

  it('the validator itself rejects broken documents (negative controls)', () => {
    assert.throws(() => assertSchemaValid('manifest', { schemaVersion: 2, config: {}, layers: [] }));
    assert.throws(() => assertSchemaValid('index', { schemaVersion: 3, manifests: [] }));
    assert.throws(() => assertSchemaValid('config', { architecture: 1, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
    assert.throws(() => assertSchemaValid('layout', {}));
  });
});
