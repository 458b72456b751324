import * as fs from 'node:fs';
import { LayerError } from '../../errors';
import { isLayerXattr, type NativeOps } from '../native/native-ops';
import type { EntrySink } from '../tar/tar-reader';
import type { TarHeader } from '../tar/tar-header';
import type { ApplyWarning, ExtractOptions } from './apply-types';
import { lstatOrUndefined, normalizeEntryName, PathResolver, type LayerPath } from './safe-path';
import { clearOpaque, parseWhiteout, removePath } from './whiteouts';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/**
 * Writes tar entries under a root, one at a time, in archive order
 * (docs/unpack.md has the rules). Directory modes and times, and xattrs, are
 * deferred to `finish()`, so later entries can still be written into
 * read-only directories and mtimes are not disturbed by them.
 */
export class Extractor {
  readonly warnings: ApplyWarning[] = [];
  private readonly resolver: PathResolver;
  private readonly written = new Set<string>();
  private readonly dirMeta = new Map<string, { mode: number; mtime: number }>();
  private readonly xattrs = new Map<string, Map<string, Buffer>>();
  private readonly chown: boolean;
  private readonly overlay: boolean;
  /**
   * The root was empty at the start (a new snapshot's directory): what is on
   * disk under it is exactly what this extractor made (entries, parents,
   * whiteout devices), so a path it never made needs no lstat (6,768 of them
   * for a Debian base: ~15% of the extractor's CPU).
   */
  private readonly fresh: boolean;
  /** whiteout devices made in overlay form (on disk, not entries) */
  private readonly made = new Set<string>();

  constructor(
    root: string,
    private readonly options: ExtractOptions = {},
  ) {
    this.fresh = isEmptyDir(root);
    this.resolver = this.fresh ? new PathResolver(root, (d) => this.written.has(d) || this.made.has(d)) : new PathResolver(root);
    this.chown = options.mapOwner !== undefined || (options.preserveOwnership ?? process.getuid?.() === 0);
    this.overlay = options.whiteouts === 'overlay';
  }

  /** The tar reader's EntryHandler. */
  readonly entry = async (header: TarHeader): Promise<EntrySink | undefined> => {
    const p = normalizeEntryName(header.name);
    const wh = parseWhiteout(p);
    if (wh !== undefined) {
      if (wh.kind === 'aufs') this.warn('aufs-metadata-skipped', p, 'aufs metadata entry skipped');
      else if (wh.kind === 'opaque') await this.opaque(wh.dir);
      else await this.whiteout(wh.target);
      return undefined;
    }
    if (p === '') {
      if (header.type !== 'dir') throw new LayerError('LAYER_ROOT_NOT_DIR', `layer entry ${JSON.stringify(header.name)} makes the root a ${header.type}`, { path: header.name, type: header.type });
      this.dirMeta.set(this.resolver.root, { mode: header.mode, mtime: header.mtime });
      this.owner(this.resolver.root, header);
      return undefined;
    }
    this.resolver.parents(p, true);
    const full = this.resolver.full(p);
    const existing = this.onDisk(p) ? lstatOrUndefined(full) : undefined;
    if (existing !== undefined && !(existing.isDirectory() && header.type === 'dir')) {
      if (header.type === 'link' && normalizeEntryName(header.linkname ?? '') === p) return undefined; // a link to itself: nothing to do
      this.remove(p);
    }
    this.written.add(p);
    this.rememberXattrs(full, p, header);
    switch (header.type) {
      case 'dir':
        if (existing === undefined || !existing.isDirectory()) fs.mkdirSync(full, 0o700);
        this.resolver.markDir(p);
        this.owner(full, header);
        this.dirMeta.set(full, { mode: header.mode, mtime: header.mtime });
        return undefined;
      case 'file':
        return this.file(full, header);
      case 'symlink':
        fs.symlinkSync(header.linkname ?? '', full);
        this.owner(full, header);
        fs.lutimesSync(full, header.mtime, header.mtime);
        return undefined;
      case 'link':
        this.hardlink(full, p, header.linkname ?? '');
        return undefined;
      default:
        await this.device(full, p, header);
        return undefined;
    }
  };

  /** Applies deferred xattrs, then directory modes and mtimes (deepest first). */
  async finish(): Promise<void> {
    const native = this.options.native;
    const items = [...this.xattrs].flatMap(([p, m]) => [...m].map(([name, value]) => ({ path: p, name, value })));
    if (items.length > 0) {
      const errors = native !== undefined && (await native.available()) ? await native.setXattrs(items) : items.map(() => 'ENOSYS (no libc binding)');
      errors.forEach((e, i) => {
        const it = items[i];
        if (e === undefined || it === undefined) return;
        // an overlay opaque marker that is not set would let the lower layers show through
        if (it.name.startsWith('trusted.overlay.')) throw new LayerError('LAYER_NATIVE_FAILED', `cannot mark ${it.path} opaque (setxattr ${it.name}): ${e}`, { path: it.path, errno: e });
        this.warn('xattr-skipped', it.path, `setxattr ${it.name}: ${e}`);
      });
    }
    for (const [full, meta] of [...this.dirMeta].reverse()) {
      fs.chmodSync(full, meta.mode);
      fs.utimesSync(full, meta.mtime, meta.mtime);
    }
  }

  /** Whether `p` can be on disk: always for a root that was not empty, else only what this extractor made. */
  private onDisk(p: LayerPath): boolean {
    return !this.fresh || this.written.has(p) || this.made.has(p) || this.resolver.isDir(p);
  }

  private file(full: string, header: TarHeader): EntrySink {
    const fd = fs.openSync(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
    return {
      data: (chunk) => {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
      },
      end: () => {
        try {
          if (this.chown) {
            const o = this.ownerOf(header);
            fs.fchownSync(fd, o.uid, o.gid);
          }
          fs.fchmodSync(fd, header.mode);
          fs.futimesSync(fd, header.mtime, header.mtime);
        } finally {
          fs.closeSync(fd);
        }
      },
    };
  }

  private hardlink(full: string, p: LayerPath, linkname: string): void {
    const target = normalizeEntryName(linkname);
    const invalid = (why: string): LayerError =>
      new LayerError('LAYER_HARDLINK_INVALID', `hard link ${JSON.stringify(p)} -> ${JSON.stringify(linkname)}: ${why}`, { path: p, linkname });
    if (target === '') throw invalid('names the root');
    if (!this.resolver.parents(target, false)) throw invalid('target does not exist');
    const st = lstatOrUndefined(this.resolver.full(target));
    if (st === undefined) throw invalid('target does not exist');
    if (st.isDirectory()) throw invalid('target is a directory');
    fs.linkSync(this.resolver.full(target), full);
  }

  private async device(full: string, p: LayerPath, header: TarHeader): Promise<void> {
    if (this.overlay && header.type === 'char' && header.devmajor === 0 && header.devminor === 0) {
      this.written.delete(p);
      this.warn('device-skipped', p, 'a char device 0/0 would be an overlay whiteout; skipped');
      return;
    }
    const skip = this.options.devices === 'skip' && header.type !== 'fifo' ? 'devices are skipped here' : undefined;
    const errno = skip ?? (await this.mknod(full, header.type as 'char' | 'block' | 'fifo', header.devmajor ?? 0, header.devminor ?? 0));
    if (errno !== undefined) {
      this.written.delete(p);
      this.xattrs.delete(full);
      this.warn('device-skipped', p, `${header.type} device ${header.devmajor}:${header.devminor} not created: ${errno}`);
      return;
    }
    this.owner(full, header);
    fs.chmodSync(full, header.mode);
    fs.utimesSync(full, header.mtime, header.mtime);
  }

  private async mknod(full: string, type: 'char' | 'block' | 'fifo', major: number, minor: number): Promise<string | undefined> {
    const native: NativeOps | undefined = this.options.native;
    if (native === undefined || !(await native.available())) return 'ENOSYS (no libc binding)';
    const [errno] = await native.mknod([{ path: full, type, mode: 0o600, major, minor }]);
    return errno;
  }

  private async whiteout(target: LayerPath): Promise<void> {
    if (!this.overlay) {
      if (this.resolver.parents(target, false)) this.remove(target);
      return;
    }
    this.resolver.parents(target, true);
    this.remove(target);
    const full = this.resolver.full(target);
    this.made.add(target);
    const errno = await this.mknod(full, 'char', 0, 0);
    if (errno !== undefined) throw new LayerError('LAYER_NATIVE_FAILED', `cannot create overlay whiteout ${target}: ${errno}`, { path: target });
  }

  private async opaque(dir: LayerPath): Promise<void> {
    if (!this.overlay) {
      if (dir === '' || this.resolver.parents(`${dir}/x`, false)) clearOpaque(this.resolver, dir, this.written);
      return;
    }
    this.resolver.parents(`${dir}/x`, true);
    const full = this.resolver.full(dir);
    const map = this.xattrs.get(full) ?? new Map<string, Buffer>();
    map.set('trusted.overlay.opaque', Buffer.from('y'));
    this.xattrs.set(full, map);
  }

  /** Removes a path and forgets its deferred metadata. */
  private remove(p: LayerPath): void {
    const full = this.resolver.full(p);
    removePath(this.resolver, p);
    this.xattrs.delete(full);
    if (this.dirMeta.delete(full)) {
      const prefix = `${full}/`;
      for (const k of this.dirMeta.keys()) if (k.startsWith(prefix)) this.dirMeta.delete(k);
      for (const k of this.xattrs.keys()) if (k.startsWith(prefix)) this.xattrs.delete(k);
    }
  }

  private owner(full: string, header: TarHeader): void {
    if (!this.chown) return;
    const o = this.ownerOf(header);
    fs.lchownSync(full, o.uid, o.gid);
  }

  private ownerOf(header: TarHeader): { uid: number; gid: number } {
    return this.options.mapOwner?.(header.uid, header.gid, header.name) ?? header;
  }

  private rememberXattrs(full: string, p: LayerPath, header: TarHeader): void {
    for (const [name, value] of header.xattrs ?? []) {
      if (!isLayerXattr(name)) {
        this.warn('xattr-skipped', p, `xattr ${name} is not applied from layers`);
        continue;
      }
      const map = this.xattrs.get(full) ?? new Map<string, Buffer>();
      map.set(name, this.options.mapXattr?.(name, value, p) ?? value);
      this.xattrs.set(full, map);
    }
  }

  private warn(code: ApplyWarning['code'], p: string, message: string): void {
    const w = { code, path: p, message };
    this.warnings.push(w);
    this.options.onWarning?.(w);
  }
}

function isEmptyDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return false;
  }
}
