import type { Stats } from 'node:fs';

/**
 * One tar entry of a changeset, before its header is written: either a file
 * to read from `source` (its `stats` taken at diff time) or a whiteout.
 * `name` is the path inside the layer: relative, `/`-separated, no `./`.
 */
export interface PackEntry {
  name: string;
  /** absolute path to read content, link target and xattrs from; undefined for whiteouts */
  source?: string;
  stats?: Stats;
  /** `.wh.<name>` or `.wh..wh..opq`: written as an empty regular file */
  whiteout?: boolean;
  /** set once read: the layer xattrs (security.capability, user.*) */
  xattrs?: Map<string, Buffer>;
  /** header fields the caller sets over what `stats` says (whiteout modes, COPY --chown/--chmod, SOURCE_DATE_EPOCH) */
  override?: HeaderOverride;
}

export interface HeaderOverride {
  mode?: number;
  uid?: number;
  gid?: number;
  /** whole seconds */
  mtime?: number;
}

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

function rank(component: string): number {
  if (component === OPAQUE_WHITEOUT) return 0;
  return component.startsWith(WHITEOUT_PREFIX) ? 1 : 2;
}

/**
 * The one entry order of a hoist layer: depth first, a directory before its
 * children; inside a directory the opaque marker first, then whiteouts, then
 * the other names, each group by UTF-8 bytes. Both diff methods sort with it,
 * so the same change gives the same bytes.
 */
export function compareEntryNames(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    const x = pa[i] as string;
    const y = pb[i] as string;
    if (x === y) continue;
    const r = rank(x) - rank(y);
    if (r !== 0) return r;
    return Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8'));
  }
  return pa.length - pb.length;
}

export function sortEntries(entries: PackEntry[]): PackEntry[] {
  return entries.sort((a, b) => compareEntryNames(a.name, b.name));
}

/** `dir/.wh.base` for a deleted path: mode 0600, as docker's tar writer makes them. */
export function whiteoutEntry(deleted: string): PackEntry {
  const slash = deleted.lastIndexOf('/');
  return { name: `${deleted.slice(0, slash + 1)}${WHITEOUT_PREFIX}${deleted.slice(slash + 1)}`, whiteout: true, override: { mode: 0o600 } };
}

/** `dir/.wh..wh..opq`, carrying the directory's permissions and owner, as docker's tar writer does. */
export function opaqueEntry(dir: string, stats?: Stats): PackEntry {
  const override: HeaderOverride = stats === undefined ? {} : { mode: stats.mode & 0o777, uid: stats.uid, gid: stats.gid, mtime: Math.floor(stats.mtimeMs / 1000) };
  return { name: `${dir}/${OPAQUE_WHITEOUT}`, whiteout: true, override };
}

export function joinRel(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}
