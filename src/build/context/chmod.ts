import type { ChmodSpec } from '../../dockerfile/instructions/types';

const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISVTX = 0o1000;

/**
 * The permission bits (07777) `--chmod` gives an entry whose current bits are
 * `mode`, as fsutil copy applies it to files and directories alike: octal
 * replaces them; symbolic works as chmod(1) with umask 0 (`X` is x for a
 * directory or an entry that already has some x bit; `s` and `t` the special bits).
 */
export function applyChmod(mode: number, spec: ChmodSpec | undefined, isDir: boolean): number {
  const perm = mode & 0o7777;
  if (spec === undefined) return perm;
  if ('octal' in spec) return spec.octal & 0o7777;
  let m = perm;
  for (const clause of spec.symbolic) {
    const who = clause.who.includes('a') || clause.who === '' ? 'ugo' : clause.who;
    let whoMask = 0;
    if (who.includes('u')) whoMask |= 0o4700;
    if (who.includes('g')) whoMask |= 0o2070;
    if (who.includes('o')) whoMask |= 0o1007;
    let bits = 0;
    for (const p of clause.perms) {
      if (p === 'r') bits |= 0o444;
      else if (p === 'w') bits |= 0o222;
      else if (p === 'x') bits |= 0o111;
      else if (p === 'X') bits |= isDir || (m & 0o111) !== 0 ? 0o111 : 0;
      else if (p === 's') bits |= S_ISUID | S_ISGID;
      else if (p === 't') bits |= S_ISVTX;
      else if (p === 'u') bits |= copyClass((m >> 6) & 7);
      else if (p === 'g') bits |= copyClass((m >> 3) & 7);
      else if (p === 'o') bits |= copyClass(m & 7);
    }
    bits &= whoMask;
    if (clause.op === '+') m |= bits;
    else if (clause.op === '-') m &= ~bits;
    else m = (m & ~whoMask) | bits;
  }
  return m & 0o7777;
}

/** rwx bits of one class spread to all three classes (for `g=u` and the like) */
function copyClass(rwx: number): number {
  return (rwx << 6) | (rwx << 3) | rwx;
}
