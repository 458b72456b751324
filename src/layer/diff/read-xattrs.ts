import { LayerError } from '../../errors';
import { LAYER_XATTR_PREFIXES, type NativeOps } from '../native/native-ops';
import { defaultNativeOps } from '../native/libc-native-ops';
import type { PackEntry } from './pack-entry';

/**
 * Fills `xattrs` of every non-whiteout entry in one batch (default backend:
 * libc); with `extraPrefixes` (overlay's `trusted.overlay.`), returns those
 * too, by entry index. Without a backend it throws: a layer written without
 * reading them would silently lose `security.capability` and opaque markers.
 */
export async function readEntryXattrs(
  entries: PackEntry[],
  native: NativeOps | undefined,
  extraPrefixes: readonly string[] = [],
  layerPrefixes: readonly string[] = LAYER_XATTR_PREFIXES,
): Promise<Map<number, Map<string, Buffer>>> {
  const extra = new Map<number, Map<string, Buffer>>();
  native ??= defaultNativeOps();
  if (!(await native.available())) {
    throw new LayerError('LAYER_NATIVE_UNAVAILABLE', 'cannot read xattrs here (no libc binding): refusing to write a layer without them', {});
  }
  const targets = entries.map((e, i) => ({ e, i })).filter(({ e }) => e.source !== undefined && e.whiteout !== true);
  const found = await native.listXattrs(
    targets.map(({ e }) => e.source as string),
    [...layerPrefixes, ...extraPrefixes],
  );
  targets.forEach(({ e, i }, k) => {
    const all = found[k];
    if (all === undefined) return;
    for (const [name, value] of all) {
      if (extraPrefixes.some((p) => name.startsWith(p))) {
        if (!extra.has(i)) extra.set(i, new Map());
        extra.get(i)?.set(name, value);
      } else {
        e.xattrs ??= new Map();
        e.xattrs.set(name, value);
      }
    }
  });
  return extra;
}
