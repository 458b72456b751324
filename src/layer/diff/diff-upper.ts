import * as fs from 'node:fs';
import * as path from 'node:path';
import { LayerError, throwIfAborted } from '../../errors';
import type { NativeOps } from '../native/native-ops';
import { joinRel, opaqueEntry, sortEntries, whiteoutEntry, type PackEntry } from './pack-entry';
import { readEntryXattrs } from './read-xattrs';

export interface DiffOptions {
  native?: NativeOps;
  signal?: AbortSignal;
  /** the xattr names (prefixes) the layer records; default LAYER_XATTR_PREFIXES (security.capability, user.*) */
  layerXattrs?: readonly string[];
}

const OVERLAY_PREFIXES = ['trusted.overlay.', 'user.overlay.'];

/**
 * The changeset an overlay upper directory holds (the fast path for RUN):
 * every entry of the upper dir is a change; a char device 0/0 is a whiteout
 * (`.wh.NAME`, even when several share one inode); a directory with
 * `trusted.overlay.opaque=y` (or `user.overlay.opaque` under userxattr) is
 * written and followed by `.wh..wh..opq`. Overlay must have been mounted with
 * redirect_dir and metacopy off: a redirect or metacopy xattr is refused.
 */
export async function diffUpperDir(upper: string, options: DiffOptions = {}): Promise<PackEntry[]> {
  const entries: PackEntry[] = [];
  const walk = (dir: string, rel: string): void => {
    throwIfAborted(options.signal);
    for (const name of fs.readdirSync(dir)) {
      const source = path.join(dir, name);
      const relName = joinRel(rel, name);
      const stats = fs.lstatSync(source);
      if (stats.isCharacterDevice() && stats.rdev === 0) {
        entries.push(whiteoutEntry(relName));
        continue;
      }
      entries.push({ name: relName, source, stats });
      if (stats.isDirectory()) walk(source, relName);
    }
  };
  walk(upper, '');
  const overlay = await readEntryXattrs(entries, options.native, OVERLAY_PREFIXES, options.layerXattrs);
  const opaque: PackEntry[] = [];
  for (const [i, xattrs] of overlay) {
    const entry = entries[i] as PackEntry;
    for (const [name, value] of xattrs) {
      const key = name.slice(name.indexOf('overlay.') + 'overlay.'.length);
      if (key === 'opaque' && value.toString() === 'y' && entry.stats?.isDirectory()) opaque.push(opaqueEntry(entry.name, entry.stats));
      if (key === 'redirect' || key === 'metacopy') {
        throw new LayerError('LAYER_TAR_UNSUPPORTED', `overlay ${key} xattr on ${entry.name}: mount with redirect_dir=off,metacopy=off`, {
          path: entry.name,
        });
      }
    }
  }
  return sortEntries([...entries, ...opaque]);
}
