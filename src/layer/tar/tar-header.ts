/** The entry types hoist writes and extracts. */
export type EntryType = 'file' | 'link' | 'symlink' | 'char' | 'block' | 'dir' | 'fifo';

/**
 * One tar entry's metadata, after PAX and GNU long-name records are merged.
 * `name` has no trailing slash and no leading `./`; `mtime` is in seconds.
 */
export interface TarHeader {
  name: string;
  type: EntryType;
  /** permission and special bits (0o7777) */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname?: string;
  uname?: string;
  gname?: string;
  devmajor?: number;
  devminor?: number;
  /** SCHILY.xattr.* records */
  xattrs?: Map<string, Buffer>;
}

export const BLOCK = 512;

export const TYPEFLAG: Record<EntryType, number> = {
  file: 0x30,
  link: 0x31,
  symlink: 0x32,
  char: 0x33,
  block: 0x34,
  dir: 0x35,
  fifo: 0x36,
};

/** Field offsets and widths of a POSIX ustar header. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const;

/** Largest value a numeric field of `width` bytes holds in octal (width-1 digits). */
export function octalMax(width: number): number {
  return 8 ** (width - 1) - 1;
}

/** The header checksum: the sum of all bytes, the checksum field counted as spaces. */
export function headerChecksum(block: Buffer): number {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += block[i] as number;
  for (let i = 156; i < BLOCK; i++) sum += block[i] as number;
  return sum;
}

/** Bytes of padding after a body of `size` bytes. */
export function paddingOf(size: number): number {
  const rem = size % BLOCK;
  return rem === 0 ? 0 : BLOCK - rem;
}
