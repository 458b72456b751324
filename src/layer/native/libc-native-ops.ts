import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LayerError, isHoistError } from '../../errors';
import { hasLibc, libc, type Libc } from '../../sys';
import type { MknodItem, NativeOps, XattrItem } from './native-ops';

/** Calls between two yields to the event loop (each call is a few µs). */
const BATCH = 512;

/** errnos that mean "this file system or file has no xattrs", not a failure. */
const NO_XATTRS = new Set(['ENOTSUP', 'EOPNOTSUPP', 'ENODATA']);

const TYPE_BITS = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;

function binding(): Libc {
  try {
    return libc();
  } catch (err) {
    if (!isHoistError(err, 'SYS_NATIVE_UNAVAILABLE')) throw err;
    throw new LayerError('LAYER_NATIVE_UNAVAILABLE', `xattrs and device nodes need the libc binding: ${err.message}`, {}, { cause: err });
  }
}

function failed(call: string, path: string, errno: string, name?: string): LayerError {
  const what = name === undefined ? path : `${path} (${name})`;
  return new LayerError('LAYER_NATIVE_FAILED', `${call} ${what}: ${errno}`, { call, path, errno, ...(name !== undefined ? { name } : {}) });
}

/**
 * NativeOps by direct libc calls (lgetxattr, llistxattr, lsetxattr, mknod).
 * A list that fails for any reason other than "no xattrs here" throws: a
 * layer must never silently miss what the tree holds (an overlay upper's
 * `trusted.overlay.opaque`, a file's `security.capability`).
 */
export class LibcNativeOps implements NativeOps {
  async available(): Promise<boolean> {
    return hasLibc();
  }

  async listXattrs(paths: readonly string[], prefixes: readonly string[]): Promise<Array<Map<string, Buffer> | undefined>> {
    if (paths.length === 0) return [];
    const c = binding();
    const out: Array<Map<string, Buffer> | undefined> = [];
    for (const [i, p] of paths.entries()) {
      if (i > 0 && i % BATCH === 0) await yieldToLoop();
      const names = c.llistxattr(p);
      if (typeof names === 'string') {
        if (NO_XATTRS.has(names)) {
          out.push(undefined);
          continue;
        }
        throw failed('llistxattr', p, names);
      }
      let found: Map<string, Buffer> | undefined;
      for (const name of names) {
        if (!prefixes.some((pre) => name.startsWith(pre))) continue;
        const value = c.lgetxattr(p, name);
        if (typeof value === 'string') {
          if (value === 'ENODATA') continue; // removed between list and get
          throw failed('lgetxattr', p, value, name);
        }
        (found ??= new Map()).set(name, value);
      }
      out.push(found);
    }
    return out;
  }

  async setXattrs(items: readonly XattrItem[]): Promise<Array<string | undefined>> {
    if (items.length === 0) return [];
    const c = binding();
    const out: Array<string | undefined> = [];
    for (const [i, it] of items.entries()) {
      if (i > 0 && i % BATCH === 0) await yieldToLoop();
      out.push(c.lsetxattr(it.path, it.name, it.value));
    }
    return out;
  }

  async mknod(items: readonly MknodItem[]): Promise<Array<string | undefined>> {
    if (items.length === 0) return [];
    const c = binding();
    const out: Array<string | undefined> = [];
    for (const [i, it] of items.entries()) {
      if (i > 0 && i % BATCH === 0) await yieldToLoop();
      out.push(c.mknod(it.path, TYPE_BITS[it.type] | (it.mode & 0o7777), it.type === 'fifo' ? 0 : it.major, it.type === 'fifo' ? 0 : it.minor));
    }
    return out;
  }

  async close(): Promise<void> {
    // nothing to end: the calls are made in this process
  }
}

let shared: LibcNativeOps | undefined;

/** The process-wide NativeOps. */
export function defaultNativeOps(): NativeOps {
  shared ??= new LibcNativeOps();
  return shared;
}
