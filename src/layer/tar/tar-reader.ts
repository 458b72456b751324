import { LayerError, throwIfAborted } from '../../errors';
import { decodeHeader, entryTypeOf, isZeroBlock, parsePaxRecords, type RawHeader } from './decode-header';
import { BLOCK, paddingOf, type TarHeader } from './tar-header';

/** Receives one entry's body; `data` and `end` may return a promise (the reader waits for it). */
export interface EntrySink {
  data(chunk: Buffer): void | Promise<void>;
  end(): void | Promise<void>;
}

/** Called per entry in archive order; return a sink to receive the body, or undefined to skip it. */
export type EntryHandler = (header: TarHeader) => EntrySink | undefined | Promise<EntrySink | undefined>;

export interface ReadTarOptions {
  signal?: AbortSignal;
  /** LAYER_TOO_LARGE once more uncompressed bytes than this arrive (bounds decompression bombs) */
  maxSize?: number;
  /** cap on one PAX or GNU long-name record (default 1 MiB) */
  maxMetaSize?: number;
}

export interface ReadTarResult {
  entries: number;
  /** every byte read, end-of-archive padding included */
  size: number;
}

const META_TYPES = new Set([0x78, 0x67, 0x4c, 0x4b]); // x g L K
const ZEROS = Buffer.alloc(1024 * 1024);

/**
 * Streams a tar archive to `onEntry`, with hoist's end-of-archive policy
 * (docs/unpack.md): the archive ends at the first pair of zero blocks (a lone
 * zero block at the end of the stream is accepted, as GNU tar does); the rest
 * of the stream is read (it is part of the diffID) and must be zero bytes,
 * else LAYER_TRAILING_DATA. A stream that stops before the marker is
 * LAYER_TAR_TRUNCATED, except an empty stream (an empty archive).
 */
export async function readTar(source: AsyncIterable<Buffer>, onEntry: EntryHandler, options: ReadTarOptions = {}): Promise<ReadTarResult> {
  const reader = new TarReader(onEntry, options);
  for await (const chunk of source) {
    throwIfAborted(options.signal);
    await reader.write(chunk);
  }
  return reader.finish();
}

class TarReader {
  private state: 'header' | 'zero1' | 'eof' | 'body' = 'header';
  private partial = Buffer.alloc(BLOCK);
  private partialLength = 0;
  private offset = 0;
  private entries = 0;
  private remaining = 0;
  private padding = 0;
  private sink: EntrySink | undefined;
  private meta: { typeflag: number; parts: Buffer[]; at: number } | undefined;
  private pax = new Map<string, Buffer>();
  private globalPax = new Map<string, Buffer>();
  private readonly maxMeta: number;

  constructor(
    private readonly onEntry: EntryHandler,
    private readonly options: ReadTarOptions,
  ) {
    this.maxMeta = options.maxMetaSize ?? 1024 * 1024;
  }

  async write(chunk: Buffer): Promise<void> {
    const max = this.options.maxSize;
    if (max !== undefined && this.offset + chunk.length > max) {
      throw new LayerError('LAYER_TOO_LARGE', `uncompressed layer exceeds the ${max}-byte limit`, { limit: max });
    }
    let pos = 0;
    while (pos < chunk.length) {
      if (this.state === 'body') {
        pos += await this.body(chunk, pos);
        continue;
      }
      if (this.state === 'eof') {
        this.checkZeros(chunk.subarray(pos));
        break;
      }
      let block: Buffer;
      if (this.partialLength === 0 && chunk.length - pos >= BLOCK) {
        block = chunk.subarray(pos, pos + BLOCK);
        pos += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.partialLength, chunk.length - pos);
        chunk.copy(this.partial, this.partialLength, pos, pos + n);
        this.partialLength += n;
        pos += n;
        if (this.partialLength < BLOCK) break;
        block = this.partial;
        this.partialLength = 0;
      }
      await this.headerBlock(block, this.offset + pos - BLOCK);
    }
    this.offset += chunk.length;
  }

  finish(): ReadTarResult {
    const clean = this.state === 'eof' || this.state === 'zero1' || (this.offset === 0 && this.state === 'header');
    if (!clean || this.partialLength !== 0) {
      throw new LayerError('LAYER_TAR_TRUNCATED', `layer tar is truncated: it ends at byte ${this.offset} before its end-of-archive marker`, {
        offset: this.offset,
      });
    }
    return { entries: this.entries, size: this.offset };
  }

  private checkZeros(rest: Buffer): void {
    for (let i = 0; i < rest.length; i += ZEROS.length) {
      const piece = rest.subarray(i, i + ZEROS.length);
      if (!piece.equals(ZEROS.subarray(0, piece.length))) {
        throw new LayerError('LAYER_TRAILING_DATA', 'non-zero data follows the end-of-archive marker', { offset: this.offset + i });
      }
    }
  }

  private async body(chunk: Buffer, pos: number): Promise<number> {
    const n = Math.min(this.remaining, chunk.length - pos);
    if (n > 0) {
      const piece = chunk.subarray(pos, pos + n);
      if (this.meta !== undefined) this.meta.parts.push(Buffer.from(piece));
      else {
        const wait = this.sink?.data(piece);
        if (wait !== undefined) await wait;
      }
      this.remaining -= n;
    }
    const skip = Math.min(this.padding, chunk.length - pos - n);
    this.padding -= skip;
    if (this.remaining === 0 && this.padding === 0) await this.endEntry();
    return n + skip;
  }

  private async endEntry(): Promise<void> {
    this.state = 'header';
    const meta = this.meta;
    if (meta !== undefined) {
      this.meta = undefined;
      const data = Buffer.concat(meta.parts);
      if (meta.typeflag === 0x78) for (const [k, v] of parsePaxRecords(data, meta.at)) this.pax.set(k, v);
      else if (meta.typeflag === 0x67) for (const [k, v] of parsePaxRecords(data, meta.at)) this.globalPax.set(k, v);
      else this.pax.set(meta.typeflag === 0x4c ? 'path' : 'linkpath', trimNul(data));
      return;
    }
    const sink = this.sink;
    this.sink = undefined;
    if (sink !== undefined) await sink.end();
  }

  private async headerBlock(block: Buffer, at: number): Promise<void> {
    if (isZeroBlock(block)) {
      this.state = this.state === 'zero1' ? 'eof' : 'zero1';
      return;
    }
    if (this.state === 'zero1') {
      throw new LayerError('LAYER_TAR_INVALID', `a single zero block at byte ${at - BLOCK} is followed by a header`, { offset: at - BLOCK });
    }
    const raw = decodeHeader(block, at);
    if (META_TYPES.has(raw.typeflag)) {
      if (raw.size > this.maxMeta) throw new LayerError('LAYER_TAR_INVALID', `metadata record of ${raw.size} bytes at byte ${at}`, { offset: at });
      this.meta = { typeflag: raw.typeflag, parts: [], at };
      return this.startBody(raw.size);
    }
    const header = this.merge(raw, at);
    this.entries++;
    const sink = await this.onEntry(header);
    this.sink = sink;
    return this.startBody(header.type === 'file' ? header.size : 0);
  }

  private async startBody(size: number): Promise<void> {
    this.remaining = size;
    this.padding = paddingOf(size);
    if (size === 0) await this.endEntry();
    else this.state = 'body';
  }

  private merge(raw: RawHeader, at: number): TarHeader {
    const pax = new Map([...this.globalPax, ...this.pax]);
    this.pax = new Map();
    for (const key of pax.keys()) {
      if (key.startsWith('GNU.sparse')) throw new LayerError('LAYER_TAR_UNSUPPORTED', `GNU sparse entries are not supported (byte ${at})`, { offset: at });
    }
    let type = entryTypeOf(raw.typeflag);
    if (type === undefined) {
      const flag = String.fromCharCode(raw.typeflag);
      throw new LayerError('LAYER_TAR_UNSUPPORTED', `tar entry type ${JSON.stringify(flag)} is not supported (byte ${at})`, { offset: at, typeflag: flag });
    }
    const name = pax.get('path')?.toString('utf8') ?? raw.name;
    if (type === 'file' && raw.typeflag !== 0x37 && name.endsWith('/')) type = 'dir';
    const num = (key: string, fallback: number): number => {
      const v = pax.get(key);
      if (v === undefined) return fallback;
      const n = Number(v.toString('latin1'));
      if (!Number.isFinite(n)) throw new LayerError('LAYER_TAR_INVALID', `bad PAX ${key} at byte ${at}`, { offset: at });
      return n;
    };
    const header: TarHeader = {
      name,
      type,
      mode: raw.mode & 0o7777,
      uid: num('uid', raw.uid),
      gid: num('gid', raw.gid),
      size: num('size', raw.size),
      mtime: num('mtime', raw.mtime),
      linkname: pax.get('linkpath')?.toString('utf8') ?? raw.linkname,
      uname: pax.get('uname')?.toString('utf8') ?? raw.uname,
      gname: pax.get('gname')?.toString('utf8') ?? raw.gname,
      devmajor: raw.devmajor,
      devminor: raw.devminor,
    };
    for (const [key, value] of pax) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      header.xattrs ??= new Map();
      header.xattrs.set(key.slice('SCHILY.xattr.'.length), value);
    }
    if (!Number.isSafeInteger(header.size) || header.size < 0) throw new LayerError('LAYER_TAR_INVALID', `bad size at byte ${at}`, { offset: at });
    return header;
  }
}

function trimNul(b: Buffer): Buffer {
  const i = b.indexOf(0);
  return i < 0 ? b : b.subarray(0, i);
}
