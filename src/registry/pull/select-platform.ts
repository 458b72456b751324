import { OciError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import type { ImageIndex } from '../../oci/manifest';
import { isManifestMediaType } from '../../oci/media-types';
import { formatPlatform, normalizePlatform, platformMatches, type Platform } from '../../oci/platform';

function variantRank(wanted: Platform, candidate: Platform): number {
  const c = normalizePlatform(candidate);
  const w = normalizePlatform(wanted);
  if (c.variant === w.variant) return 0;
  if (c.variant === undefined) return 1;
  // armv7 host: prefer v7, then v6, then v5 (closest first)
  const order = ['v8', 'v7', 'v6', 'v5'];
  return 2 + Math.abs(order.indexOf(c.variant) - order.indexOf(w.variant ?? c.variant));
}

/**
 * The manifest of an index for a platform, by containerd's rules: os and
 * architecture must match; variants as `platformMatches` allows (arm64 with
 * no variant is v8; armv7 runs v6 and v5), the exact variant preferred.
 * Entries that are not image manifests (attestations, artifacts) are skipped.
 */
export function selectPlatform(index: ImageIndex, wanted: Platform): Descriptor {
  const candidates = index.manifests.filter(
    (m) => m.platform !== undefined && isManifestMediaType(m.mediaType) && m.platform.os !== 'unknown' && platformMatches(wanted, m.platform),
  );
  if (candidates.length === 0) {
    const available = index.manifests.filter((m) => m.platform !== undefined).map((m) => formatPlatform(m.platform!));
    throw new OciError('PLATFORM_NOT_FOUND', `no manifest for ${formatPlatform(wanted)} in the index (available: ${available.join(', ') || 'none'})`, {
      platform: formatPlatform(wanted),
      available,
    });
  }
  return [...candidates].sort((a, b) => variantRank(wanted, a.platform!) - variantRank(wanted, b.platform!))[0]!;
}
