import { createHash } from 'node:crypto';
import type { Digest } from './digest';

/**
 * ChainIDs of a layer stack (OCI image spec, "Layer ChainID"):
 * ChainID(L0) = DiffID(L0); ChainID(L0|...|Ln) = sha256(ChainID(n-1) + " " + DiffID(Ln)).
 */
export function computeChainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    out.push(chainIdOf(out[out.length - 1], diffId));
  }
  return out;
}

export function computeChainId(diffIds: readonly Digest[]): Digest | undefined {
  return computeChainIds(diffIds).pop();
}

/** The chainID of one more layer on top of `parent` (undefined: the first layer). */
export function chainIdOf(parent: Digest | undefined, diffId: Digest): Digest {
  return parent === undefined ? diffId : (`sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}` as Digest);
}
