import type { Digest } from '../../../oci/digest';
import type { LayerRef } from '../../exec/stage-state';
import type { CacheRecord } from './cache-config';
import type { UsedStep } from './export-graph';

/**
 * `--cache-to type=inline`: the value of `moby.buildkit.cache.v0` in the
 * image config, as BuildKit's inline exporter writes it (base64 of the JSON
 * records array; a result's layer index is the image's own layer, each on
 * the one before). A step whose stack is a prefix of the image's layers
 * points at its top; an independent step (COPY --link) whose layer is in the
 * image is a one-layer chain. Other steps cannot be expressed and are left
 * out (as mode=min). Undefined when no step qualifies.
 */
export function inlineCacheValue(steps: readonly UsedStep[], image: readonly LayerRef[]): string | undefined {
  const digests = image.map((l) => l.descriptor.digest);
  const records = new Map<Digest, CacheRecord>();
  for (const s of steps) {
    if (records.has(s.key) || s.chain.length === 0) continue;
    if (s.chain.length <= digests.length && s.chain.every((l, i) => l.descriptor.digest === digests[i])) {
      records.set(s.key, { layers: [{ layer: s.chain.length - 1, createdAt: s.created }], digest: s.key } as CacheRecord);
    } else if (s.chain.length === 1 && digests.includes(s.chain[0]!.descriptor.digest)) {
      records.set(s.key, { chains: [{ layers: [digests.indexOf(s.chain[0]!.descriptor.digest)], createdAt: s.created }], digest: s.key } as CacheRecord);
    }
  }
  if (records.size === 0) return undefined;
  const sorted = [...records.values()].sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  return Buffer.from(JSON.stringify(sorted)).toString('base64');
}
