import * as assert from 'node:assert/strict';
import { digestOf, type Digest } from '../../../../../src/oci/digest';
import type { Descriptor } from '../../../../../src/oci/descriptor';
import { CacheConfigInvalid, validateCacheConfig } from '../../../../../src/build/cache/remote/cache-config';
import { readCacheIndex } from '../../../../../src/build/cache/remote/cache-index';
import { cacheManifest } from '../../../../../src/build/cache/remote/cache-manifest';
import { exportGraph, type UsedStep } from '../../../../../src/build/cache/remote/export-graph';
import type { LayerRef } from '../../../../../src/build/exec/stage-state';

const d = (s: string): Digest => digestOf(s);
const layer = (name: string): LayerRef => ({ descriptor: { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(`blob ${name}`), size: name.length }, diffId: d(`diff ${name}`) });
const [base, one, two, side] = ['base', 'one', 'two', 'side'].map(layer) as [LayerRef, LayerRef, LayerRef, LayerRef];

const steps: UsedStep[] = [
  { key: d('k1'), created: '2026-12-01T10:00:00.000Z', chain: [base, one] },
  { key: d('k2'), created: '2026-12-01T10:00:01.000Z', chain: [base, one, two] },
  { key: d('k3'), created: '2026-12-01T10:00:02.000Z', chain: [side] },
];

/** A reader over the blobs of one exported manifest (what a registry or a layout dir serves). */
function served(blobs: Map<string, Buffer>) {
  return async (desc: Descriptor): Promise<Buffer> => {
    const b = blobs.get(desc.digest);
    if (b === undefined) throw new Error(`no blob ${desc.digest}`);
    return b;
  };
}

function exported(oci = true, imageManifest = false) {
  const graph = exportGraph(steps, { oci });
  const cm = cacheManifest(graph, { oci, imageManifest });
  return { graph, cm, read: served(new Map([[cm.config.descriptor.digest, cm.config.raw]])) };
}

describe('build/cache/remote: the cacheconfig graph', () => {
  it('round-trips hoist records through an index: every key, its chain bottom first, its time', async () => {
    const { cm, read } = exported();
    const hits = await readCacheIndex(cm.manifest.raw, read);
    assert.equal(hits.size, 3);
    assert.deepEqual(hits.get(d('k2'))!.chain.map((l) => l.diffId), [base.diffId, one.diffId, two.diffId]);
    assert.equal(hits.get(d('k2'))!.created, '2026-12-01T10:00:01.000Z');
    assert.deepEqual(hits.get(d('k3'))!.chain.map((l) => l.descriptor.digest), [side.descriptor.digest]);
  });

  it('round-trips through an image manifest (image-manifest=true) and a Docker manifest list', async () => {
    for (const [oci, im] of [[true, true], [false, false]] as const) {
      const { cm, read } = exported(oci, im);
      const hits = await readCacheIndex(cm.manifest.raw, read);
      assert.equal(hits.size, 3);
      if (!oci) assert.equal(hits.get(d('k1'))!.chain[1]!.descriptor.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    }
  });

  it('is deterministic: the same steps in any order give the same bytes; parent 0 is omitted as Go omits it', () => {
    const a = cacheManifest(exportGraph(steps, { oci: true }), { oci: true, imageManifest: false });
    const b = cacheManifest(exportGraph([...steps].reverse(), { oci: true }), { oci: true, imageManifest: false });
    assert.equal(a.manifest.descriptor.digest, b.manifest.descriptor.digest);
    const cfg = JSON.parse(a.config.raw.toString()) as { layers: { parent?: number }[] };
    assert.ok(cfg.layers.every((l) => l.parent !== 0));
  });

  it('refuses hostile configs: indexes outside the lists, loops, bad digests', () => {
    const blob = d('x');
    const bad: unknown[] = [
      { layers: [{ blob, parent: 5 }] },
      { layers: [{ blob, parent: 1 }, { blob }] }, // 0 -> 1 -> 0
      { layers: [{ blob, parent: -1 }], records: [{ digest: d('r'), layers: [{ layer: 1 }] }] },
      { layers: [{ blob, parent: -1 }], records: [{ digest: d('r'), chains: [{ layers: [0, 7] }] }] },
      { records: [{ digest: d('r'), inputs: [[{ link: 3 }]] }] },
      { records: [{ digest: d('r'), inputs: [[{ link: 0 }]] }] },
      { records: [{ digest: 'sha256:nothex' }] },
      { layers: [{ blob: 'md5:1', parent: -1 }] },
      [],
    ];
    for (const b of bad) assert.throws(() => validateCacheConfig(b), CacheConfigInvalid, JSON.stringify(b));
  });

  it('reads a hostile config of 40,000 layers in one chain and 40,000 records on its top in linear time', async () => {
    const n = 40_000;
    const blob = (i: number): Digest => `sha256:${i.toString(16).padStart(64, '0')}` as Digest;
    const layers = Array.from({ length: n }, (_, i) => ({ blob: blob(i), parent: i - 1 }));
    const records = Array.from({ length: n }, (_, i) => ({ digest: blob(n + i), layers: [{ layer: n - 1 }] }));
    const config = Buffer.from(JSON.stringify({ layers, records }));
    const configDesc: Descriptor = { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: digestOf(config), size: config.length };
    const manifests = layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.blob, size: 1, annotations: { 'containerd.io/uncompressed': l.blob } }));
    const t0 = Date.now();
    const hits = await readCacheIndex(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [...manifests, configDesc] })), served(new Map([[configDesc.digest, config]])));
    assert.equal(hits.size, n);
    assert.equal(hits.get(blob(n))!.chain.length, n);
    assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
    const looping = { layers: [...layers.slice(0, 1000), { blob: blob(1000), parent: 1001 }, { blob: blob(1001), parent: 500 }].map((l, i) => (i === 0 ? { ...l, parent: 1001 } : l)) };
    assert.throws(() => validateCacheConfig(looping), CacheConfigInvalid);
  });

  it('ignores a whole manifest whose config blob does not parse, and skips results whose blob the manifest does not list', async () => {
    const { cm } = exported();
    await assert.rejects(readCacheIndex(cm.manifest.raw, async () => Buffer.from('{"layers": [')), CacheConfigInvalid);
    const index = JSON.parse(cm.manifest.raw.toString()) as { manifests: Descriptor[] };
    index.manifests = index.manifests.filter((m) => m.digest !== two.descriptor.digest);
    const hits = await readCacheIndex(Buffer.from(JSON.stringify(index)), exported().read);
    assert.deepEqual([...hits.keys()].sort(), [d('k1'), d('k3')].sort());
  });

  it("reads BuildKit's inline cache: base64 records whose layer indexes are the image's", async () => {
    const records = [{ layers: [{ layer: 1, createdAt: '2026-12-01T00:00:00Z' }], digest: d('inline') }];
    const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: [base.diffId, one.diffId] }, 'moby.buildkit.cache.v0': Buffer.from(JSON.stringify(records)).toString('base64') }));
    const configDesc: Descriptor = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(config), size: config.length };
    const manifest = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: [base.descriptor, one.descriptor] };
    const hits = await readCacheIndex(Buffer.from(JSON.stringify(manifest)), served(new Map([[configDesc.digest, config]])));
    assert.deepEqual(hits.get(d('inline'))!.chain.map((l) => l.diffId), [base.diffId, one.diffId]);

    // the same image inside a multi-platform index: the build platform's entry is read
    const rawImage = Buffer.from(JSON.stringify(manifest));
    const entry = (arch: string, raw: Buffer): Descriptor => ({ mediaType: manifest.mediaType, digest: digestOf(raw), size: raw.length, platform: { os: 'linux', architecture: arch } });
    const other = Buffer.from(JSON.stringify({ ...manifest, layers: [] }));
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry('arm64', other), entry('amd64', rawImage)] };
    const manifests = served(new Map([[digestOf(rawImage), rawImage], [digestOf(other), other]]));
    const viaIndex = await readCacheIndex(Buffer.from(JSON.stringify(index)), served(new Map([[configDesc.digest, config]])), { platform: { os: 'linux', architecture: 'amd64' }, readManifest: manifests });
    assert.equal(viaIndex.size, 1);
    await assert.rejects(readCacheIndex(Buffer.from(JSON.stringify(index)), manifests, { platform: { os: 'linux', architecture: 's390x' }, readManifest: manifests }), CacheConfigInvalid);
  });
});
