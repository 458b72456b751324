import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { Descriptor } from '../../src/oci';
import { isIndexMediaType, layerCompression, MediaType, parseImageConfig, parseIndex, parseManifest } from '../../src/oci';
import type { Store } from '../../src/store';
import { assertSchemaValid } from './oci-schemas';

function sha256File(file: string): string {
  return `sha256:${createHash('sha256').update(fs.readFileSync(file)).digest('hex')}`;
}

/**
 * ggcr's validate.Image for a stored image: schemas, every blob present with
 * the digest and size its descriptor states, diffIDs of uncompressed layers.
 */
export function validateStoredImage(store: Store, entry: Descriptor): void {
  const file = store.content.blobPath(entry.digest);
  assert.equal(sha256File(file), entry.digest, `blob ${entry.digest} hashes to its name`);
  assert.equal(fs.statSync(file).size, entry.size);
  const raw = fs.readFileSync(file);
  if (isIndexMediaType(entry.mediaType)) {
    if (entry.mediaType === MediaType.OciIndex) assertSchemaValid('index', JSON.parse(raw.toString()));
    for (const m of parseIndex(raw).manifests) if (fs.existsSync(store.content.blobPath(m.digest))) validateStoredImage(store, m);
    return;
  }
  const manifest = parseManifest(raw);
  if (entry.mediaType === MediaType.OciManifest) assertSchemaValid('manifest', JSON.parse(raw.toString()));
  const cfgFile = store.content.blobPath(manifest.config.digest);
  assert.equal(sha256File(cfgFile), manifest.config.digest);
  const rawConfig = fs.readFileSync(cfgFile);
  const config = parseImageConfig(rawConfig);
  assertSchemaValid('config', JSON.parse(rawConfig.toString()));
  assert.equal(config.rootfs.diff_ids.length, manifest.layers.length, 'one diffID per layer');
  manifest.layers.forEach((l, i) => {
    const lf = store.content.blobPath(l.digest);
    assert.equal(fs.statSync(lf).size, l.size, `layer ${i} size`);
    assert.equal(sha256File(lf), l.digest, `layer ${i} digest`);
    if (layerCompression(l.mediaType) === 'none') assert.equal(l.digest, config.rootfs.diff_ids[i], `layer ${i} diffID`);
  });
}
