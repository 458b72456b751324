/**
 * The few filesystem calls Node has no API for: xattrs and device nodes
 * (implemented by direct libc calls, `libc-native-ops.ts`; see
 * docs/compression.md "xattrs"). Batched, so a backend may yield between calls.
 */
export interface NativeOps {
  /**
   * false when the backend cannot run here. Reading a tree then fails
   * (LAYER_NATIVE_UNAVAILABLE: a layer must not miss its xattrs); applying
   * skips devices with a warning.
   */
  available(): Promise<boolean>;
  /**
   * The xattrs of each path (not following symlinks) whose names start with
   * one of `prefixes`; undefined where a path has none (or its file system
   * has no xattrs). Any other failure throws LAYER_NATIVE_FAILED.
   */
  listXattrs(paths: readonly string[], prefixes: readonly string[]): Promise<Array<Map<string, Buffer> | undefined>>;
  /** Sets xattrs (not following symlinks); returns an errno name per item, or undefined on success. */
  setXattrs(items: readonly XattrItem[]): Promise<Array<string | undefined>>;
  /** Creates device nodes and fifos; returns an errno name per item (EPERM where not permitted). */
  mknod(items: readonly MknodItem[]): Promise<Array<string | undefined>>;
  /** Releases what the backend holds (it never holds the process open). */
  close(): Promise<void>;
}

export interface XattrItem {
  path: string;
  name: string;
  value: Buffer;
}

export interface MknodItem {
  path: string;
  type: 'char' | 'block' | 'fifo';
  mode: number;
  major: number;
  minor: number;
}

/** xattrs a layer carries (OCI/Docker practice): capabilities and user.*; never trusted.* or security.selinux. */
export const LAYER_XATTR_PREFIXES = ['security.capability', 'user.'] as const;

export function isLayerXattr(name: string): boolean {
  return name === 'security.capability' || name.startsWith('user.');
}
