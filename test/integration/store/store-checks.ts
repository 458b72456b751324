import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotation, type Descriptor } from '../../../src/oci/descriptor';
import { isIndexMediaType } from '../../../src/oci/media-types';
import { parseIndex, parseManifest } from '../../../src/oci/parse-documents';
import type { Store } from '../../../src/store';

/** The descriptor index.json tags `name` with (read from disk, as another tool would). */
export function tagEntry(root: string, name: string): Descriptor | undefined {
  const index = parseIndex(fs.readFileSync(path.join(root, 'index.json')));
  return index.manifests.find((m) => m.annotations?.[Annotation.RefName] === name);
}

function present(store: Store, d: Descriptor, what: string): void {
  assert.ok(fs.existsSync(store.content.blobPath(d.digest)), `${what}: blob ${d.digest} is in the store`);
}

/** The tag exists and its manifest, config and layers (through an index's manifests present) are in the store. */
export function assertTagComplete(store: Store, name: string, what: string): void {
  const entry = tagEntry(store.root, name);
  assert.ok(entry !== undefined, `${what}: ${name} is tagged`);
  const queue = [entry];
  while (queue.length > 0) {
    const d = queue.pop()!;
    present(store, d, what);
    const raw = fs.readFileSync(store.content.blobPath(d.digest));
    if (isIndexMediaType(d.mediaType)) {
      queue.push(...parseIndex(raw).manifests.filter((m) => fs.existsSync(store.content.blobPath(m.digest))));
      continue;
    }
    const m = parseManifest(raw);
    for (const b of [m.config, ...m.layers]) present(store, b, `${what} (${name})`);
  }
}

/** Every blob under blobs/sha256 hashes to its name (no partial blob is ever visible). Returns the count. */
export function assertBlobsIntact(root: string): number {
  const dir = path.join(root, 'blobs', 'sha256');
  if (!fs.existsSync(dir)) return 0;
  let n = 0;
  for (const name of fs.readdirSync(dir)) {
    const h = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex');
    assert.equal(h, name, `blob ${name} hashes to its name`);
    n++;
  }
  return n;
}
