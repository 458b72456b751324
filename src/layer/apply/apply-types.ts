import type { NativeOps } from '../native/native-ops';

export interface ApplyWarning {
  code: 'device-skipped' | 'xattr-skipped' | 'aufs-metadata-skipped';
  path: string;
  message: string;
}

export interface ExtractOptions {
  /**
   * 'delete' applies whiteouts by removing what they name (a full rootfs, the
   * copy snapshotter); 'overlay' records them as overlayfs does (char device
   * 0/0, trusted.overlay.opaque=y) in the layer's own directory.
   */
  whiteouts?: 'delete' | 'overlay';
  /** chown entries to their uid/gid (default: when running as root) */
  preserveOwnership?: boolean;
  native?: NativeOps;
  /**
   * Rewrites every entry's owner before it is applied (an id map, for an
   * unprivileged container's rootfs); implies preserveOwnership. May throw.
   */
  mapOwner?: (uid: number, gid: number, path: string) => { uid: number; gid: number };
  /** Rewrites an xattr's value before it is set (security.capability's rootid under an id map). */
  mapXattr?: (name: string, value: Buffer, path: string) => Buffer;
  /** 'skip' leaves char and block devices out, with a 'device-skipped' warning (default 'create') */
  devices?: 'create' | 'skip';
  onWarning?: (warning: ApplyWarning) => void;
}
