import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { digestOf } from '../../../src/oci/digest';
import { MediaType } from '../../../src/oci/media-types';
import type { ImageIndex } from '../../../src/oci/manifest';
import { pullImage, pushImage } from '../../../src/registry';
import { readBlobCapped } from '../../../src/store/helpers';
import { parseManifest } from '../../../src/oci/parse-documents';
import { setTag } from '../../../src/store/tags';
import { Store } from '../../../src/store/store';
import { buildTestImage } from '../../helpers/registry-image';
import { hasRegistry, mkTemp, startRegistry, type RegistryServer } from '../../helpers/registry-server';
import { skipWith } from '../../helpers/capabilities';

const SKOPEO = '/usr/bin/skopeo';
const UMOCI = '/usr/bin/umoci';

function run(bin: string, args: string[]): string {
  return execFileSync(bin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** The manifest digest skopeo sees in the registry (of the raw manifest bytes). */
function registryDigest(ref: string): string {
  const raw = execFileSync(SKOPEO, ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  return digestOf(raw);
}

describe('registry: interop with skopeo and umoci', function () {
  let reg: RegistryServer;
  let dir: string;

  before(async function () {
    if (!hasRegistry() || !fs.existsSync(SKOPEO)) {
      skipWith(this, 'needs docker-registry and skopeo');
    }
    dir = mkTemp('interop');
    reg = await startRegistry();
  });
  after(async () => {
    await reg?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hoist push -> skopeo copy to an OCI layout (same digests) -> umoci unpack gives the files', async function () {
    const src = await Store.open(path.join(dir, 'src'));
    const img = await buildTestImage(src, { layers: [{ 'etc/greeting': 'hello from hoist\n' }, { 'usr/share/data.bin': Buffer.alloc(50_000, 6) }] }, `${reg.host}/interop/hoist:1`);
    await pushImage(src, `${reg.host}/interop/hoist:1`);
    assert.equal(registryDigest(`${reg.host}/interop/hoist:1`), img.descriptor.digest);
    const layout = path.join(dir, 'skopeo-layout');
    run(SKOPEO, ['copy', '--src-tls-verify=false', '--preserve-digests', '--dest-oci-accept-uncompressed-layers', `docker://${reg.host}/interop/hoist:1`, `oci:${layout}:copied`]);
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as ImageIndex;
    assert.equal(index.manifests[0]!.digest, img.descriptor.digest);
    for (const b of img.blobs) assert.ok(fs.existsSync(path.join(layout, 'blobs', 'sha256', b.digest.slice(7))), `skopeo has ${b.digest}`);
    if (!fs.existsSync(UMOCI)) return;
    const bundle = path.join(dir, 'bundle');
    run(UMOCI, ['unpack', '--image', `${layout}:copied`, bundle]);
    assert.equal(fs.readFileSync(path.join(bundle, 'rootfs', 'etc', 'greeting'), 'utf8'), 'hello from hoist\n');
    assert.equal(fs.statSync(path.join(bundle, 'rootfs', 'usr', 'share', 'data.bin')).size, 50_000);
  });

  for (const format of ['gzip', 'zstd'] as const) {
    it(`skopeo push with ${format} layers -> hoist pull (same digests, layers kept ${format}) -> hoist push elsewhere unchanged`, async () => {
      const layoutStore = await Store.open(path.join(dir, `layout-${format}`));
      const img = await buildTestImage(layoutStore, { layers: [{ 'etc/fmt': format }, { 'bin/x': Buffer.alloc(20_000, format === 'gzip' ? 2 : 3) }], label: format });
      await setTag(layoutStore.index, 'src', img.descriptor);
      const ref = `${reg.host}/interop/skopeo-${format}:1`;
      run(SKOPEO, ['copy', '--dest-tls-verify=false', '--dest-compress-format', format, `oci:${layoutStore.root}:src`, `docker://${ref}`]);
      const expected = registryDigest(ref);
      const dst = await Store.open(path.join(dir, `pulled-${format}`));
      const pulled = await pullImage(dst, ref);
      assert.equal(pulled.descriptor.digest, expected);
      const manifest = parseManifest(await readBlobCapped(dst.content, pulled.descriptor));
      const want = format === 'gzip' ? MediaType.OciLayerGzip : MediaType.OciLayerZstd;
      assert.deepEqual(manifest.layers.map((l) => l.mediaType), [want, want]);
      for (const l of manifest.layers) assert.ok(await dst.content.has(l.digest));
      const again = await pushImage(dst, ref, `${reg.host}/interop/again-${format}:1`);
      assert.equal(again.descriptor.digest, expected, 'compressed layers pushed as they are');
      assert.equal(registryDigest(`${reg.host}/interop/again-${format}:1`), expected);
    });
  }
});
