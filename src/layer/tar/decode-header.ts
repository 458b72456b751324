import { LayerError } from '../../errors';
import { FIELD, headerChecksum, type EntryType } from './tar-header';

/** A header block as it is on disk, before PAX / GNU long-name records are applied. */
export interface RawHeader {
  name: string;
  typeflag: number;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function invalid(message: string, offset: number): LayerError {
  return new LayerError('LAYER_TAR_INVALID', `invalid tar header at byte ${offset}: ${message}`, { offset });
}

function readString(b: Buffer, [offset, width]: readonly [number, number]): string {
  let end = b.indexOf(0, offset);
  if (end < 0 || end > offset + width) end = offset + width;
  return b.toString('utf8', offset, end);
}

/** Octal (space or NUL terminated) or GNU base-256 (first byte 0x80). */
function readNumber(b: Buffer, field: readonly [number, number], at: number): number {
  const [offset, width] = field;
  if (((b[offset] as number) & 0x80) !== 0) {
    if ((b[offset] as number) === 0xff) throw invalid('negative base-256 number', at);
    let v = (b[offset] as number) & 0x7f;
    for (let i = 1; i < width; i++) v = v * 256 + (b[offset + i] as number);
    if (!Number.isSafeInteger(v)) throw invalid('number out of range', at);
    return v;
  }
  const text = b.toString('latin1', offset, offset + width).replace(/[\0 ]+$/, '').replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw invalid(`bad numeric field ${JSON.stringify(text)}`, at);
  return parseInt(text, 8);
}

/** Decodes one non-zero header block; checks the checksum (unsigned or signed sum). */
export function decodeHeader(b: Buffer, at: number): RawHeader {
  const stored = readNumber(b, FIELD.chksum, at);
  if (stored !== headerChecksum(b) && stored !== signedChecksum(b)) throw invalid('checksum mismatch', at);
  const magic = b.toString('latin1', FIELD.magic[0], FIELD.magic[0] + 6);
  let name = readString(b, FIELD.name);
  if (magic === 'ustar\u0000') {
    const prefix = readString(b, FIELD.prefix);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  return {
    name,
    typeflag: b[FIELD.typeflag[0]] as number,
    mode: readNumber(b, FIELD.mode, at),
    uid: readNumber(b, FIELD.uid, at),
    gid: readNumber(b, FIELD.gid, at),
    size: readNumber(b, FIELD.size, at),
    mtime: readNumber(b, FIELD.mtime, at),
    linkname: readString(b, FIELD.linkname),
    uname: readString(b, FIELD.uname),
    gname: readString(b, FIELD.gname),
    devmajor: magic.startsWith('ustar') ? readNumber(b, FIELD.devmajor, at) : 0,
    devminor: magic.startsWith('ustar') ? readNumber(b, FIELD.devminor, at) : 0,
  };
}

function signedChecksum(b: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < 512; i++) if (i < 148 || i >= 156) sum += ((b[i] as number) << 24) >> 24;
  return sum;
}

const TYPES: Record<number, EntryType> = {
  0: 'file',
  0x30: 'file',
  0x37: 'file', // contiguous file: a regular file everywhere that matters
  0x31: 'link',
  0x32: 'symlink',
  0x33: 'char',
  0x34: 'block',
  0x35: 'dir',
  0x36: 'fifo',
};

export function entryTypeOf(typeflag: number): EntryType | undefined {
  return TYPES[typeflag];
}

/** Parses PAX records (`"<len> <key>=<value>\n"`), values kept as bytes. */
export function parsePaxRecords(data: Buffer, at: number): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // NUL padding some writers leave
    const space = data.indexOf(0x20, pos);
    const len = space > pos ? Number(data.toString('latin1', pos, space)) : NaN;
    if (!Number.isInteger(len) || len <= 0 || pos + len > data.length || data[pos + len - 1] !== 0x0a) throw invalid('malformed PAX record', at);
    const record = data.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq <= 0) throw invalid('PAX record without key', at);
    out.set(record.toString('utf8', 0, eq), Buffer.from(record.subarray(eq + 1)));
    pos += len;
  }
  return out;
}
