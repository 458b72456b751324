import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import type { ChmodSpec } from '../../dockerfile/instructions/types';
import type { Digest } from '../../oci/digest';
import { applyChmod } from './chmod';
import type { Match } from './select-sources';
import { hashFile, type StatCache } from './stat-cache';
import type { Owner, SelectedSources } from './types';
import type { WalkEntry } from './walk-match';

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export function entryType(st: fs.BigIntStats): EntryType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/**
 * The cache input of a COPY/ADD: per source and match, every selected
 * entry's relative name, type, mode (after --chmod), uid/gid (after
 * --chown or the tree's default), link target and content sha256; never
 * mtimes. Content hashes come from the stat cache when it still holds.
 */
export class SelectionHasher {
  private readonly h: Hash = createHash('sha256');
  entries = 0;
  bytes = 0;
  contentReads = 0;

  constructor(
    private readonly cache: StatCache,
    private readonly fromContext: boolean,
    private readonly owner: Owner | undefined,
    private readonly chmod: ChmodSpec | undefined,
  ) {
    this.h.update('hoist-copy-v1\0');
  }

  source(index: number, source: string): void {
    this.h.update(`S\0${index}\0${source}\n`);
  }

  match(m: Match, kind: 'copy' | 'unpack'): void {
    this.h.update(`M\0${m.name}\0${entryType(m.stat)}\0${kind}\n`);
  }

  ownerOf(st: fs.BigIntStats): Owner {
    if (this.owner !== undefined) return this.owner;
    return this.fromContext ? { uid: 0, gid: 0 } : { uid: Number(st.uid), gid: Number(st.gid) };
  }

  modeOf(st: fs.BigIntStats): number {
    return st.isSymbolicLink() ? 0o777 : applyChmod(Number(st.mode), this.chmod, st.isDirectory());
  }

  /** The content sha256 of a regular file (stat cache first); counts bytes. */
  contentOf(e: WalkEntry): string {
    let sum = this.cache.get(e.treeRel, e.stat);
    if (sum === undefined) {
      sum = hashFile(e.abs);
      this.contentReads++;
      this.cache.set(e.treeRel, e.stat, sum);
    }
    return sum;
  }

  /** Adds one walked entry; returns its content hash (files) or link target (symlinks). */
  entry(e: WalkEntry): string {
    const type = entryType(e.stat);
    const o = this.ownerOf(e.stat);
    let data = '';
    if (type === 'file') {
      data = this.contentOf(e);
      this.bytes += Number(e.stat.size);
    } else if (type === 'symlink') data = fs.readlinkSync(e.abs);
    else if (type === 'other') data = `${e.stat.mode}:${e.stat.rdev}`;
    this.h.update(`E\0${e.rel}\0${type}\0${this.modeOf(e.stat).toString(8)}\0${o.uid}:${o.gid}\0${data}\n`);
    this.entries++;
    return data;
  }

  /** A downloaded ADD URL: file name, content, owner and (as BuildKit keys it) Last-Modified; always mode 0600; `unpack` when it was extracted */
  download(name: string, sha256: string, size: number, lastModified = '', kind: 'copy' | 'unpack' = 'copy'): void {
    const o = this.owner ?? { uid: 0, gid: 0 };
    this.h.update(`U\0${name}\0mode600\0${o.uid}:${o.gid}\0${sha256}\0${lastModified}${kind === 'unpack' ? '\0unpack' : ''}\n`);
    this.entries++;
    this.bytes += size;
  }

  /** A heredoc file: name, content, mode 0644 after --chmod, owner (--chown or 0:0); its mtime is the build's */
  inline(name: string, data: Buffer): void {
    const o = this.owner ?? { uid: 0, gid: 0 };
    const sha = createHash('sha256').update(data).digest('hex');
    this.h.update(`I\0${name}\0${this.inlineMode().toString(8)}\0${o.uid}:${o.gid}\0${sha}\n`);
    this.entries++;
    this.bytes += data.length;
  }

  inlineMode(): number {
    return applyChmod(0o644, this.chmod, false);
  }

  result(): SelectedSources {
    return { digest: `sha256:${this.h.digest('hex')}` as Digest, entries: this.entries, bytes: this.bytes, contentReads: this.contentReads };
  }
}
