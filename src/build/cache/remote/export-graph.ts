import { createHash } from 'node:crypto';
import type { Descriptor } from '../../../oci/descriptor';
import type { Digest } from '../../../oci/digest';
import { layerCompression, layerMediaType } from '../../../oci/media-types';
import type { LayerRef } from '../../exec/stage-state';
import { ANNOTATION_CREATED_AT, ANNOTATION_UNCOMPRESSED, type CacheConfig, type CacheLayer, type CacheRecord } from './cache-config';

/** One layer step of a build as the exporter sees it: its hoist cache key and the layer stack it resulted in. */
export interface UsedStep {
  key: Digest;
  /** when its layer was first made (the record's `created`) */
  created: string;
  /** the stack after the step, bottom first; the last entry is the step's own layer */
  chain: LayerRef[];
}

export interface ExportGraph {
  config: CacheConfig;
  /** every blob the config names, once each, annotated as BuildKit annotates cache layers */
  layers: Descriptor[];
}

/** Go's zero time, which BuildKit writes for an unknown createdAt. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function withFamily(mediaType: string, oci: boolean): string {
  const c = layerCompression(mediaType);
  return c === undefined ? mediaType : layerMediaType(c, oci ? 'oci' : 'docker');
}

/**
 * hoist's records as BuildKit's cache graph: one record per step, its
 * digest the hoist cache key (which already covers the parent rootfs, so no
 * record needs `inputs`), its result the top of its layer chain. Layers are
 * deduplicated by (blob, parent chain) and everything is sorted, so the same
 * steps always give the same bytes.
 */
export function exportGraph(steps: readonly UsedStep[], options: { oci: boolean }): ExportGraph {
  const byKey = new Map<Digest, UsedStep>();
  for (const s of steps) if (s.chain.length > 0 && !byKey.has(s.key)) byKey.set(s.key, s);
  const created = new Map<Digest, string>();
  for (const s of byKey.values()) if (!created.has(s.chain.at(-1)!.descriptor.digest)) created.set(s.chain.at(-1)!.descriptor.digest, s.created);

  // every chain prefix once, named by its blobs
  const chains = new Map<string, { blob: Digest; parent: string | undefined; ref: LayerRef }>();
  // a prefix's name: sha256 over its parent's name and its blob (constant size, however deep the stack)
  const topName = new Map<Digest, string>();
  for (const s of byKey.values()) {
    let parent: string | undefined;
    for (const ref of s.chain) {
      const name = createHash('sha256').update(`${parent ?? ''}/${ref.descriptor.digest}`).digest('hex');
      if (!chains.has(name)) chains.set(name, { blob: ref.descriptor.digest, parent, ref });
      parent = name;
    }
    topName.set(s.key, parent!);
  }
  const names = [...chains.keys()].sort((a, b) => {
    const ba = chains.get(a)!.blob;
    const bb = chains.get(b)!.blob;
    return ba < bb ? -1 : ba > bb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
  const index = new Map(names.map((n, i) => [n, i]));
  const layers: CacheLayer[] = names.map((n) => {
    const c = chains.get(n)!;
    const at = created.get(c.blob);
    return {
      blob: c.blob,
      parent: c.parent === undefined ? -1 : index.get(c.parent)!,
      annotations: { mediaType: withFamily(c.ref.descriptor.mediaType, options.oci), diffID: c.ref.diffId, size: c.ref.descriptor.size, ...(at !== undefined ? { createdAt: at } : {}) },
    };
  });
  const records: CacheRecord[] = [...byKey.values()]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    // field order as Go marshals CacheRecord: layers, chains, digest, inputs
    .map((s) => ({ layers: [{ layer: index.get(topName.get(s.key)!)!, createdAt: s.created }], digest: s.key }));

  const blobs = new Map<Digest, Descriptor>();
  for (const n of names) {
    const { ref } = chains.get(n)!;
    if (blobs.has(ref.descriptor.digest)) continue;
    const at = created.get(ref.descriptor.digest);
    blobs.set(ref.descriptor.digest, {
      mediaType: withFamily(ref.descriptor.mediaType, options.oci),
      digest: ref.descriptor.digest,
      size: ref.descriptor.size,
      annotations: { [ANNOTATION_UNCOMPRESSED]: ref.diffId, [ANNOTATION_CREATED_AT]: at ?? ZERO_TIME },
    });
  }
  // Go marshals parent 0 as absent (omitempty); write it the same way
  for (const l of layers) if (l.parent === 0) delete l.parent;
  return { config: { layers, records }, layers: [...blobs.values()] };
}
