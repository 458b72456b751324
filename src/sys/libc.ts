/* eslint-disable @typescript-eslint/no-require-imports */
import { HoistError } from '../errors';

/**
 * The libc calls Node has no API for, through koffi (a prebuilt FFI shipped
 * inside its npm package: no compiler, no python at install or run time).
 * Loaded on first use (~10 ms), so commands that never call it never pay.
 * Every call is synchronous and returns an errno name on failure (never
 * throws for a failed call); `libc()` throws SYS_NATIVE_UNAVAILABLE when the
 * binding cannot load here, so a caller that needs it fails loudly.
 */
export interface Libc {
  /** lgetxattr(2): the value, or an errno name (ENODATA: no such attribute) */
  lgetxattr(path: string, name: string): Buffer | string;
  /** llistxattr(2): the names, or an errno name */
  llistxattr(path: string): string[] | string;
  /** lsetxattr(2) with flags 0 */
  lsetxattr(path: string, name: string, value: Buffer): string | undefined;
  /** mknod(2); `mode` includes the file type bits (S_IFCHR, S_IFBLK, S_IFIFO) */
  mknod(path: string, mode: number, major: number, minor: number): string | undefined;
  /** mount(2) */
  mount(source: string, target: string, fstype: string | null, flags: number, data: string | null): string | undefined;
  /** umount2(2) */
  umount2(target: string, flags: number): string | undefined;
  /** ioctl(fd, FS_IOC_GETFLAGS): the inode's flags (chattr's), or an errno name */
  getInodeFlags(fd: number): number | string;
  /** ioctl(fd, FS_IOC_SETFLAGS) */
  setInodeFlags(fd: number, flags: number): string | undefined;
}

/** mount(2) flags (linux/mount.h) */
export const MS_RDONLY = 0x1;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
/** umount2(2) flag: detach lazily */
export const MNT_DETACH = 0x2;

/** ioctl requests (linux/fs.h): _IOR('f', 1, long), _IOW('f', 2, long); the kernel moves an int */
const FS_IOC_GETFLAGS = 0x80086601;
const FS_IOC_SETFLAGS = 0x40086602;

/** XATTR_LIST_MAX and XATTR_SIZE_MAX (linux/limits.h) */
const XATTR_MAX = 65536;

let loaded: Libc | undefined;
let loadError: unknown;

/** The binding; throws SYS_NATIVE_UNAVAILABLE (with the loader's reason) when it cannot load. */
export function libc(): Libc {
  if (loaded !== undefined) return loaded;
  if (loadError === undefined) {
    try {
      loaded = bind();
      return loaded;
    } catch (err) {
      loadError = err;
    }
  }
  const reason = loadError instanceof Error ? loadError.message : String(loadError);
  throw new HoistError('SYS_NATIVE_UNAVAILABLE', `cannot load the libc binding (koffi) on ${process.platform}/${process.arch}: ${reason}`, { platform: process.platform, arch: process.arch }, { cause: loadError });
}

/** Whether `libc()` loads here (it is loaded by the check). */
export function hasLibc(): boolean {
  try {
    libc();
    return true;
  } catch {
    return false;
  }
}

/** glibc's gnu_dev_makedev: 12+20 bits of major, 8+24 bits of minor. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

/** The part of koffi's API used here (its own types are ESM-only). */
interface Koffi {
  load(path: string): { func(declaration: string): (...args: unknown[]) => unknown };
  errno(): number;
  os: { errno: Record<string, number> };
}

/**
 * koffi's prebuilt native module, required directly from its platform package
 * on glibc Linux (x64, arm64): koffi's own loader (it reads node's ELF headers
 * to tell glibc from musl, tries several paths, wraps deprecated functions)
 * costs ~10 ms more at `hoist run`'s start (docs/run.md, "Start time"). The
 * module must be the version its package names; anything else (musl, where
 * the glibc build does not load; another layout) goes through koffi itself.
 */
function loadKoffi(): Koffi {
  if (process.arch === 'x64' || process.arch === 'arm64') {
    const pkg = `@koromix/koffi-linux-${process.arch}`;
    try {
      const native = require(`${pkg}/linux_${process.arch}/koffi.node`) as Koffi & { version?: unknown };
      if (native.version === (require(`${pkg}/package.json`) as { version?: unknown }).version) return native;
    } catch {
      // not this layout, or not loadable here: koffi's loader says why, if it fails too
    }
  }
  return require('koffi') as Koffi;
}

function bind(): Libc {
  if (process.platform !== 'linux') throw new Error('only Linux has these calls');
  const koffi = loadKoffi();
  const lib = koffi.load('libc.so.6');
  const getx = lib.func('long lgetxattr(const char *path, const char *name, void *value, size_t size)');
  const listx = lib.func('long llistxattr(const char *path, void *list, size_t size)');
  const setx = lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)');
  const mknod = lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)');
  const mount = lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)');
  const umount2 = lib.func('int umount2(const char *target, int flags)');
  const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
  const names = new Map<number, string>(Object.entries(koffi.os.errno).map(([k, v]) => [v, k]));
  const errnoName = (): string => {
    const n = koffi.errno();
    return names.get(n) ?? `errno ${n}`;
  };
  const check = (rc: number): string | undefined => (rc === 0 ? undefined : errnoName());
  // one small scratch buffer (koffi's cost grows with the buffer passed), grown on ERANGE
  let scratch = Buffer.allocUnsafe(4096);
  const sized = (call: (buf: Buffer) => number): number | string => {
    for (;;) {
      const n = call(scratch);
      if (n >= 0) return n;
      const errno = errnoName();
      if (errno !== 'ERANGE' || scratch.length >= XATTR_MAX) return errno;
      const need = call(Buffer.alloc(0));
      scratch = Buffer.allocUnsafe(Math.min(XATTR_MAX, Math.max(need, scratch.length * 2)));
    }
  };
  return {
    lgetxattr(path, name) {
      const n = sized((buf) => Number(getx(path, name, buf, buf.length)));
      return typeof n === 'string' ? n : Buffer.from(scratch.subarray(0, n));
    },
    llistxattr(path) {
      const n = sized((buf) => Number(listx(path, buf, buf.length)));
      if (typeof n === 'string') return n;
      return scratch.toString('utf8', 0, n).split('\0').filter((s) => s !== '');
    },
    lsetxattr: (path, name, value) => check(setx(path, name, value, value.length, 0) as number),
    mknod: (path, mode, major, minor) => check(mknod(path, mode, makedev(major, minor)) as number),
    mount: (source, target, fstype, flags, data) => check(mount(source, target, fstype, flags, data) as number),
    umount2: (target, flags) => check(umount2(target, flags) as number),
    getInodeFlags(fd) {
      const arg = Buffer.alloc(8);
      return ioctl(fd, FS_IOC_GETFLAGS, 'void *', arg) === 0 ? arg.readInt32LE(0) : errnoName();
    },
    setInodeFlags(fd, flags) {
      const arg = Buffer.alloc(8);
      arg.writeInt32LE(flags | 0, 0);
      return check(ioctl(fd, FS_IOC_SETFLAGS, 'void *', arg) as number);
    },
  };
}
