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
  onWarning?: (warning: ApplyWarning) => void;
}
