import type * as fs from 'node:fs';
import * as fsp from 'node:fs';
import * as path from 'node:path';
import { resolveInRoot } from '../../convert/read-in-root';
import { destPathOf, mkdirAllResolved } from './dest-path';
import type { PlanVisitor } from './plan';
import type { Match } from './select-sources';
import { entryType, type SelectionHasher } from './selection-hasher';
import type { CopyRequest, Downloaded } from './types';
import type { WalkEntry } from './walk-match';
import { lstatOrUndefined } from '../../layer/apply/safe-path';
import { SpecialEntries } from './special-entries';
import { clearFileTarget, conflict, copyFileBytes, setMeta, setTimes } from './write-entry';

/** What ADD needs beyond copying (archives and URLs), supplied by the caller. */
export interface AddHooks {
  isArchive(abs: string): Promise<boolean>;
  unpack(archive: string, destDir: string): Promise<void>;
  /** an http(s) source fetched to a local file (once per ContextOps) */
  download(source: string): Promise<Downloaded>;
}

interface DirFix {
  target: string;
  stat: fs.BigIntStats;
  created: boolean;
}

/**
 * Writes what a request selects into a mounted rootfs with fsutil copy's
 * rules (docs in context/README.md): the destination resolves inside the
 * rootfs (symlinked directories followed, chroot style), missing parents are
 * made, files keep mode and mtime, directories merge, a symlink in the way of
 * a file is replaced and never written through.
 */
export class CopyWriter implements PlanVisitor {
  private readonly spec: string;
  private dest = '';
  private top = '';
  private topStat: fs.BigIntStats | undefined;
  private dirs: DirFix[] = [];
  private inodes = new Map<string, string>();
  /** xattrs and special files, for `--from` trees only */
  private readonly special: SpecialEntries | undefined;

  constructor(
    private readonly rootfs: string,
    private readonly req: CopyRequest,
    private readonly hasher: SelectionHasher,
    private readonly hooks: AddHooks,
    fromContext: boolean,
  ) {
    this.spec = destPathOf(req.dest, req.workdir);
    this.special = fromContext ? undefined : new SpecialEntries();
  }

  /** BuildKit's Copy(): the destination's directory (the dest itself when it ends in `/`) exists first. */
  start(): void {
    const slash = this.spec.endsWith('/');
    const ensure = slash ? this.spec : path.posix.dirname(this.spec);
    mkdirAllResolved(resolveInRoot(this.rootfs, ensure), this.req.owner);
    this.dest = resolveInRoot(this.rootfs, this.spec);
  }

  source(index: number, source: string): void {
    this.hasher.source(index, source);
  }

  /** A heredoc file lands as a file match would: 0644 (or --chmod), owner 0:0 unless --chown, mtime now. */
  inline(name: string, data: Buffer): void {
    this.hasher.inline(name, data);
    const target = this.fileTarget(name);
    fsp.writeFileSync(target, data, { mode: 0o600, flag: 'wx' });
    const now = BigInt(Date.now()) * 1_000_000n;
    setMeta(target, this.req.owner ?? { uid: 0, gid: 0 }, this.hasher.inlineMode(), now, now);
  }

  /** Where a single file named `name` goes: inside dest when it is a directory, else dest; parents made, old entry cleared. */
  private fileTarget(name: string): string {
    let target = this.dest;
    if (statOrUndefined(target)?.isDirectory()) target = path.join(target, name);
    mkdirAllResolved(path.dirname(target), this.req.owner);
    clearFileTarget(target, this.shown(target));
    return target;
  }

  /**
   * A downloaded file lands as a file match would: mode 0600 (docker 20.10
   * ignores --chmod here), owner 0:0 unless --chown; with `--unpack=true` a
   * tar archive is extracted at dest as a local one is.
   */
  async url(source: string): Promise<void> {
    const d = await this.hooks.download(source);
    if (this.req.unpackUrls === true && (await this.hooks.isArchive(d.file))) {
      this.hasher.download(d.name, d.sha256, d.size, d.lastModified, 'unpack');
      const dir = resolveInRoot(this.rootfs, this.spec);
      mkdirAllResolved(dir, this.req.owner);
      await this.hooks.unpack(d.file, dir);
      return;
    }
    this.hasher.download(d.name, d.sha256, d.size, d.lastModified);
    const target = this.fileTarget(d.name);
    copyFileBytes(d.file, target, d.size);
    const mtimeNs = BigInt(Math.round(d.mtimeMs)) * 1_000_000n;
    setMeta(target, this.req.owner ?? { uid: 0, gid: 0 }, 0o600, mtimeNs, mtimeNs);
  }

  async match(m: Match): Promise<'walk' | 'unpack'> {
    if (this.req.unpackArchives && m.stat.isFile() && (await this.hooks.isArchive(m.abs))) {
      this.hasher.match(m, 'unpack');
      this.hasher.entry({ rel: '', treeRel: m.rel, abs: m.abs, stat: m.stat });
      const dir = resolveInRoot(this.rootfs, this.spec);
      mkdirAllResolved(dir, this.req.owner);
      await this.hooks.unpack(m.abs, dir);
      return 'unpack';
    }
    this.hasher.match(m, 'copy');
    const isDir = m.stat.isDirectory();
    let destPath = this.dest;
    const fiDest = statOrUndefined(destPath);
    if (!isDir && fiDest?.isDirectory()) destPath = path.join(destPath, m.name);
    mkdirAllResolved(isDir && fiDest === undefined ? destPath : path.dirname(destPath), this.req.owner);
    this.top = destPath;
    this.topStat = isDir ? m.stat : undefined;
    if (isDir) {
      const st = lstatOrUndefined(destPath);
      if (st !== undefined && !st.isDirectory()) throw conflict(`cannot copy to non-directory: ${this.shown(destPath)}`, this.shown(destPath));
    }
    this.dirs = [];
    this.inodes = new Map();
    return 'walk';
  }

  entry(_m: Match, e: WalkEntry): void {
    const data = this.hasher.entry(e);
    const target = e.rel === '' ? this.top : path.join(this.top, e.rel);
    const st = e.stat;
    const type = entryType(st);
    if (type === 'dir') {
      const existing = lstatOrUndefined(target);
      if (existing === undefined) fsp.mkdirSync(target, 0o755);
      else if (!existing.isDirectory()) throw conflict(`cannot copy to non-directory: ${this.shown(target)}`, this.shown(target));
      else fsp.chmodSync(target, Number(st.mode) & 0o7777);
      this.dirs.push({ target, stat: st, created: existing === undefined });
      this.special?.addXattrSource(e.abs, target);
      return;
    }
    if (type === 'other') {
      if (this.special === undefined) return; // the context's sockets, fifos, devices are not sent
      clearFileTarget(target, this.shown(target));
      this.special.addNode(target, st);
      return;
    }
    clearFileTarget(target, this.shown(target));
    if (type === 'symlink') fsp.symlinkSync(data, target);
    else {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1n ? this.inodes.get(key) : undefined;
      if (first !== undefined) fsp.linkSync(first, target);
      else {
        copyFileBytes(e.abs, target, Number(st.size));
        if (st.nlink > 1n) this.inodes.set(key, target);
      }
    }
    setMeta(target, this.hasher.ownerOf(st), type === 'symlink' ? undefined : this.hasher.modeOf(st), st.atimeNs, st.mtimeNs);
    this.special?.addXattrSource(e.abs, target);
  }

  async matchDone(): Promise<void> {
    await this.special?.flush((target, st) => setMeta(target, this.hasher.ownerOf(st), this.hasher.modeOf(st), st.atimeNs, st.mtimeNs));
    for (const d of this.dirs.reverse()) {
      if (d.created) setMeta(d.target, this.hasher.ownerOf(d.stat), this.hasher.modeOf(d.stat), d.stat.atimeNs, d.stat.mtimeNs);
      else setTimes(d.target, d.stat.atimeNs, d.stat.mtimeNs);
    }
    if (this.topStat !== undefined) setTimes(this.top, this.topStat.atimeNs, this.topStat.mtimeNs);
    this.dirs = [];
  }

  private shown(p: string): string {
    return '/' + path.relative(this.rootfs, p);
  }
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fsp.statSync(p);
  } catch {
    return undefined;
  }
}
