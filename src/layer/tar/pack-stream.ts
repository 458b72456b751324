import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { HoistError } from '../../errors';
import { Digester, type Digest } from '../../oci/digest';
import type { PackEntry } from '../diff/pack-entry';
import { entryTypeOfStats, headerFromStats } from '../diff/stat-header';
import { encodeHeader } from './encode-header';
import { paddingOf, type TarHeader } from './tar-header';

const CHUNK = 1024 * 1024;
const ZEROS = Buffer.alloc(1024);

export interface PackOptions {
  /** clamp mtimes to this (SOURCE_DATE_EPOCH), and date whiteouts with it (else 0) */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
}

/**
 * A tar archive of sorted PackEntries, produced on demand in 1 MiB chunks.
 * File contents are read synchronously straight into the chunk being built
 * (a read from page cache costs microseconds, an async call a threadpool
 * round trip; no per-file buffer is allocated). Hard links are found by
 * (dev, inode) among the entries and written as typeflag 1 to the first
 * name. The uncompressed digest (diffID) is computed as chunks leave.
 */
export class TarPackStream extends Readable {
  private index = 0;
  private readonly digester = new Digester();
  private readonly links = new Map<string, string>();
  private open: { fd: number; remaining: number; size: number; path: string } | undefined;
  private out = Buffer.allocUnsafe(CHUNK);
  private outLength = 0;

  constructor(
    private readonly entries: readonly PackEntry[],
    private readonly options: PackOptions = {},
  ) {
    super({ highWaterMark: CHUNK });
  }

  /** The diffID, once the stream has ended. */
  diffId(): Digest {
    return this.digester.digest();
  }

  get size(): number {
    return this.digester.size;
  }

  override _read(): void {
    try {
      if (this.options.signal?.aborted) throw new HoistError('ABORTED', 'pack aborted', {}, { cause: this.options.signal.reason });
      const start = this.digester.size;
      while (this.digester.size === start) {
        if (this.open !== undefined) this.readOpenFile();
        else if (this.index < this.entries.length) this.addEntry(this.entries[this.index++] as PackEntry);
        else {
          this.add(ZEROS);
          this.flush();
          this.push(null);
          return;
        }
      }
    } catch (err) {
      this.closeOpen();
      this.destroy(err as Error);
    }
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.closeOpen();
    cb(err);
  }

  /** Copies into the chunk being built, pushing each chunk as it fills. */
  private add(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      const n = buf.copy(this.out, this.outLength, off);
      this.outLength += n;
      off += n;
      if (this.outLength === this.out.length) this.flush();
    }
  }

  private flush(): void {
    if (this.outLength === 0) return;
    const chunk = this.out.subarray(0, this.outLength);
    this.out = Buffer.allocUnsafe(CHUNK);
    this.outLength = 0;
    this.digester.update(chunk);
    this.push(chunk);
  }

  private addEntry(entry: PackEntry): void {
    const epoch = this.options.sourceDateEpoch;
    if (entry.whiteout === true || entry.source === undefined || entry.stats === undefined) {
      const o = entry.override ?? {};
      this.add(encodeHeader({ name: entry.name, type: 'file', mode: o.mode ?? 0, uid: o.uid ?? 0, gid: o.gid ?? 0, size: 0, mtime: clampTime(o.mtime ?? 0, epoch) }));
      return;
    }
    const st = entry.stats;
    const type = entryTypeOfStats(st);
    if (type === undefined) return;
    let header: TarHeader = headerFromStats(entry.name, st, type, epoch);
    if (entry.override !== undefined) {
      const { mtime, ...rest } = entry.override;
      header = { ...header, ...rest, ...(mtime !== undefined ? { mtime: clampTime(mtime, epoch) } : {}) };
    }
    if (entry.xattrs !== undefined && entry.xattrs.size > 0) header.xattrs = entry.xattrs;
    if (type !== 'dir' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.links.get(key);
      if (first !== undefined) header = { ...header, type: 'link', size: 0, linkname: first };
      else this.links.set(key, entry.name);
    }
    if (header.type === 'symlink') header.linkname = fs.readlinkSync(entry.source, 'utf8');
    this.add(encodeHeader(header));
    if (header.type === 'file' && header.size > 0) {
      this.open = { fd: fs.openSync(entry.source, 'r'), remaining: header.size, size: header.size, path: entry.source };
    }
  }

  /** Reads the open file into the free part of the chunk (one read per small file). */
  private readOpenFile(): void {
    const f = this.open as NonNullable<TarPackStream['open']>;
    const want = Math.min(this.out.length - this.outLength, f.remaining);
    const n = fs.readSync(f.fd, this.out, this.outLength, want, f.size - f.remaining);
    if (n === 0) throw changed(f.path);
    this.outLength += n;
    f.remaining -= n;
    if (this.outLength === this.out.length) this.flush();
    if (f.remaining === 0) {
      this.closeOpen();
      this.add(ZEROS.subarray(0, paddingOf(f.size)));
    }
  }

  private closeOpen(): void {
    if (this.open !== undefined) fs.closeSync(this.open.fd);
    this.open = undefined;
  }
}

function changed(path: string): HoistError {
  return new HoistError('IO_ERROR', `${path} changed size while it was archived`, { path });
}

/** A whole PackEntry list as a tar stream (helper for callers that need no store). */
export function packEntries(entries: readonly PackEntry[], options: PackOptions = {}): TarPackStream {
  return new TarPackStream(entries, options);
}

/** A whole-second time, clamped to SOURCE_DATE_EPOCH when one is set. */
function clampTime(t: number, epoch: number | undefined): number {
  return epoch !== undefined && (t === 0 || t > epoch) ? epoch : t;
}
