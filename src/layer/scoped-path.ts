/**
 * Path resolution inside a root as if the root were `/` (chroot semantics,
 * BuildKit's fs.RootPath, securejoin): symlinks are followed by hand, an
 * absolute target restarts at the root, and `..` never climbs above it, so the
 * result is always inside. The one walk behind COPY's view of a build context
 * (build/context/tree-view.ts) and reads from an image's rootfs
 * (convert/read-in-root.ts); what a component is comes from the caller.
 */

/** What the entry at a root-relative path is; undefined when it does not exist (or is hidden). */
export type ScopedKind = 'dir' | 'link' | 'other' | undefined;

export interface ScopedFs {
  kind(rel: string): ScopedKind;
  readlink(rel: string): string;
}

export interface ScopedOptions {
  /** follow a symlink in the last component too */
  followLast: boolean;
  maxLinks: number;
  /** the error for more than `maxLinks` symlinks */
  tooManyLinks(): Error;
  /**
   * stop at the first component that is missing, or that is not a directory
   * while more follow (else go on: the rest resolves as plain names)
   */
  stopEarly: boolean;
}

export interface ScopedResult {
  /** the resolved components ('' for the root when empty) */
  parts: string[];
  /** with `stopEarly`: why the walk stopped at `parts`' last component, and what was left after it */
  stopped?: { why: 'missing' | 'not-dir'; rest: string[] };
}

export function resolveScoped(p: string, fsys: ScopedFs, o: ScopedOptions): ScopedResult {
  const pending = p.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const kind = fsys.kind([...done, c].join('/'));
    if (kind === undefined && o.stopEarly) return { parts: [...done, c], stopped: { why: 'missing', rest: pending } };
    if (kind === 'link' && (pending.length > 0 || o.followLast)) {
      if (++links > o.maxLinks) throw o.tooManyLinks();
      const target = fsys.readlink([...done, c].join('/'));
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    if (o.stopEarly && pending.length > 0 && kind !== 'dir') return { parts: [...done, c], stopped: { why: 'not-dir', rest: pending } };
    done.push(c);
  }
  return { parts: done };
}
