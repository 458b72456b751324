import { createHash } from 'node:crypto';
import type { Digest } from './digest';

/**
 * ChainIDs of a layer stack (OCI image spec, "Layer ChainID"):
 * ChainID(L0) = DiffID(L0); ChainID(L0|...|Ln) = sha256(ChainID(n-1) + " " + DiffID(Ln)).
 */
export function computeChainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? diffId : (`sha256:${createHash('sha256').update(`${prev} ${diffId}`).digest('hex')}` as Digest));
  }
  return out;
}

export function computeChainId(diffIds: readonly Digest[]): Digest | undefined {
  return computeChainIds(diffIds).pop();
}
