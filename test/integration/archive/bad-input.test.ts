import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { runHoist } from '../../helpers/hoist-cli';
import { readTar, writeTar, type TarMember } from '../../helpers/tar-builder';
import { tmpDir } from '../../helpers/tmp';

function sha(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/** A snapshot of everything in a store but its locks and empty dirs. */
function storeState(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.includes(`${path.sep}locks${path.sep}`)) out.push(`${path.relative(root, p)} ${sha(fs.readFileSync(p))}`);
    }
  };
  walk(root);
  return out.sort();
}

/** A small OCI archive built by hand: one layer, config, manifest, index. */
function ociMembers(opts: { layer?: Buffer; layerName?: string; configDiffId?: string; layerMediaType?: string; index?: string } = {}): TarMember[] {
  const layer = opts.layer ?? Buffer.alloc(1024, 7);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [opts.configDiffId ?? `sha256:${sha(layer)}`] } });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: config.length },
    layers: [{ mediaType: opts.layerMediaType ?? 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha(layer)}`, size: layer.length }],
  });
  const index =
    opts.index ??
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'example.com/bad/img:1' },
        },
      ],
    });
  return [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: opts.layerName ?? `blobs/sha256/${sha(layer)}`, data: layer },
    { name: `blobs/sha256/${sha(config)}`, data: config },
    { name: `blobs/sha256/${sha(manifest)}`, data: manifest },
    { name: 'index.json', data: index },
  ];
}

describe('hoist load: bad input leaves the store unchanged', function () {
  this.timeout(60_000);
  let work: string;
  let root: string;
  let good: string;
  let snapshot: string[];

  before(async () => {
    work = tmpDir();
    good = path.join(work, 'good.tar');
    await makeDockerArchive(good, { tags: ['good:1'] });
  });

  beforeEach(async () => {
    root = tmpDir();
    assert.equal((await runHoist(['load', '-i', good], { root })).code, 0);
    snapshot = storeState(root);
  });

  async function expectFailure(file: string, pattern: RegExp): Promise<void> {
    const r = await runHoist(['load', '-i', file], { root });
    assert.equal(r.code, 1, `expected failure, got ${r.code}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one clear line');
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    assert.deepEqual(storeState(root), snapshot, 'store unchanged');
    assert.equal((await runHoist(['images', '-q'], { root })).code, 0);
  }

  it('a truncated archive', async () => {
    const data = fs.readFileSync(good);
    const cut = path.join(work, 'cut.tar');
    fs.writeFileSync(cut, data.subarray(0, Math.floor(data.length / 2)));
    await expectFailure(cut, /archive|size mismatch|unexpected end/i);
  });

  it('a gzip-compressed archive cut short (the feed fails while a member is being read)', async () => {
    const gz = require('node:zlib').gzipSync(fs.readFileSync(good)) as Buffer;
    const cut = path.join(work, 'cut.tar.gz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length * 0.8)));
    await expectFailure(cut, /corrupt gzip stream: unexpected end of file/);
  });

  it('an archive cut at a member boundary (no end-of-archive marker) is truncated, not complete', async () => {
    const whole = path.join(work, 'whole.tar');
    await writeTar(whole, [...(await readTar(good))].map(([name, data]) => ({ name, data })));
    const data = fs.readFileSync(whole);
    assert.ok(data.subarray(-1024).equals(Buffer.alloc(1024)), 'the helper ends the archive with two zero blocks');
    const cut = path.join(work, 'no-marker.tar');
    fs.writeFileSync(cut, data.subarray(0, -1024));
    await expectFailure(cut, /cannot read the image archive: .*truncated/);
  });

  it('bytes after the end-of-archive marker', async () => {
    const trailing = path.join(work, 'trailing.tar');
    fs.writeFileSync(trailing, Buffer.concat([fs.readFileSync(good), Buffer.from('not part of the archive')]));
    await expectFailure(trailing, /cannot read the image archive: non-zero data follows the end-of-archive marker/);
  });

  it('an archive whose manifest.json names a missing layer', async () => {
    const members = await readTar(good);
    const dm = JSON.parse(members.get('manifest.json')!.toString());
    dm[0].Layers.push('0000/layer.tar');
    const file = path.join(work, 'missing.tar');
    await writeTar(file, [...members].map(([name, data]) => ({ name, data: name === 'manifest.json' ? JSON.stringify(dm) : data })));
    await expectFailure(file, /does not contain|0000\/layer\.tar/);
  });

  it('malformed manifest.json', async () => {
    const members = await readTar(good);
    const file = path.join(work, 'badjson.tar');
    await writeTar(file, [...members].map(([name, data]) => ({ name, data: name === 'manifest.json' ? '[{"Config": ' : data })));
    await expectFailure(file, /manifest\.json is not valid JSON/);
  });

  it('a malformed image config', async () => {
    const members = await readTar(good);
    const dm = JSON.parse(members.get('manifest.json')!.toString());
    const file = path.join(work, 'badconfig.tar');
    await writeTar(file, [...members].map(([name, data]) => ({ name, data: name === dm[0].Config ? '{"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": "nope"}}' : data })));
    await expectFailure(file, /invalid image config: rootfs.diff_ids must be an array/);
  });

  it('a config whose diff_ids do not match the layers', async () => {
    await writeTar(path.join(work, 'diffid.tar'), ociMembers({ configDiffId: `sha256:${'b'.repeat(64)}` }));
    await expectFailure(path.join(work, 'diffid.tar'), /has diffID sha256:[0-9a-f]{64}, but the config expects sha256:b{64}/);
  });

  it('a blob whose bytes do not match its name', async () => {
    const members = ociMembers();
    const layerHex = sha(Buffer.alloc(1024, 7));
    const tampered = members.map((m) => (m.name === `blobs/sha256/${layerHex}` ? { ...m, data: Buffer.alloc(1024, 8) } : m));
    await writeTar(path.join(work, 'tampered.tar'), tampered);
    await expectFailure(path.join(work, 'tampered.tar'), new RegExp(`digest mismatch: expected sha256:${layerHex}, found sha256:${sha(Buffer.alloc(1024, 8))}`));
  });

  it('an OCI archive missing a blob', async () => {
    const members = ociMembers().filter((m) => !m.name.startsWith(`blobs/sha256/${sha(Buffer.alloc(1024, 7))}`));
    await writeTar(path.join(work, 'noblob.tar'), members);
    await expectFailure(path.join(work, 'noblob.tar'), /lacks blob sha256:/);
  });

  it('a malformed index.json', async () => {
    await writeTar(path.join(work, 'badindex.tar'), ociMembers({ index: '{"schemaVersion": 2, "manifests": {}}' }));
    await expectFailure(path.join(work, 'badindex.tar'), /invalid index: manifests must be an array/);
  });

  it('a file that is not an archive at all', async () => {
    fs.writeFileSync(path.join(work, 'garbage.tar'), Buffer.alloc(4096, 0x41));
    await expectFailure(path.join(work, 'garbage.tar'), /archive/i);
  });

  it('keeps unknown layer media types and copies them through save', async () => {
    await writeTar(path.join(work, 'unknown.tar'), ociMembers({ layerMediaType: 'application/vnd.example.weird.layer+foo' }));
    const r = await runHoist(['load', '-i', path.join(work, 'unknown.tar')], { root });
    assert.equal(r.code, 0, r.stderr);
    const out = path.join(work, 'unknown-saved.tar');
    assert.equal((await runHoist(['save', 'example.com/bad/img:1', '-o', out], { root })).code, 0);
    const members = await readTar(out);
    const idx = JSON.parse(members.get('index.json')!.toString());
    const manifest = JSON.parse(members.get(`blobs/sha256/${idx.manifests[0].digest.slice(7)}`)!.toString());
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.example.weird.layer+foo');
  });
});
