import type * as fs from 'node:fs';
import { defaultNativeOps } from '../../layer/native/libc-native-ops';
import { LAYER_XATTR_PREFIXES, type MknodItem, type NativeOps } from '../../layer/native/native-ops';

interface Pending {
  target: string;
  stat: fs.BigIntStats;
}

/**
 * What a `--from` tree carries beyond bytes and modes: xattrs a layer keeps
 * (security.capability, user.*; fsutil copies them, moby's layer writer
 * keeps these) and device nodes and fifos (fsutil mknods them). The context
 * has neither (docker 20.10 sends no xattrs and skips special files). Batched
 * through the layer engine's native calls, applied at the end of each match.
 */
export class SpecialEntries {
  private xattrs: { src: string; dst: string }[] = [];
  private nodes: (MknodItem & Pending)[] = [];

  constructor(private readonly native: NativeOps = defaultNativeOps()) {}

  /** false for sockets (never copied) */
  addNode(target: string, stat: fs.BigIntStats): boolean {
    const type = stat.isCharacterDevice() ? 'char' : stat.isBlockDevice() ? 'block' : stat.isFIFO() ? 'fifo' : undefined;
    if (type === undefined) return false;
    const rdev = stat.rdev;
    const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
    const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
    this.nodes.push({ path: target, type, mode: Number(stat.mode) & 0o7777, major, minor, target, stat });
    return true;
  }

  addXattrSource(src: string, dst: string): void {
    this.xattrs.push({ src, dst });
  }

  /** Make the nodes (then `meta` for each), copy the xattrs; a no-op without the native binding. */
  async flush(meta: (target: string, stat: fs.BigIntStats) => void): Promise<void> {
    const nodes = this.nodes.splice(0);
    const xattrs = this.xattrs.splice(0);
    if ((nodes.length === 0 && xattrs.length === 0) || !(await this.native.available())) return;
    if (nodes.length > 0) {
      const errs = await this.native.mknod(nodes);
      nodes.forEach((n, i) => errs[i] === undefined && meta(n.target, n.stat));
    }
    for (let i = 0; i < xattrs.length; i += 1024) {
      const batch = xattrs.slice(i, i + 1024);
      const found = await this.native.listXattrs(
        batch.map((x) => x.src),
        LAYER_XATTR_PREFIXES,
      );
      const items = batch.flatMap((x, j) => [...(found[j] ?? new Map<string, Buffer>())].map(([name, value]) => ({ path: x.dst, name, value })));
      if (items.length > 0) await this.native.setXattrs(items);
    }
  }
}
