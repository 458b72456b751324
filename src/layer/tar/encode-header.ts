import { BLOCK, FIELD, headerChecksum, octalMax, paddingOf, TYPEFLAG, type TarHeader } from './tar-header';

/**
 * Encodes one entry's header: a ustar block, preceded by a PAX extended
 * header when a value does not fit ustar (names or link targets over 100
 * bytes, ids over 2097151, sizes over 8 GiB, negative or huge mtimes) or when
 * the entry carries xattrs. PAX records are sorted, and nothing varies with
 * the host (no user or group names), so equal headers give equal bytes.
 */
export function encodeHeader(header: TarHeader): Buffer {
  const pax = new Map<string, Buffer>();
  const name = header.type === 'dir' ? `${header.name}/` : header.name;
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) pax.set('path', nameBytes);
  const linkBytes = Buffer.from(header.linkname ?? '', 'utf8');
  if (linkBytes.length > 100) pax.set('linkpath', linkBytes);
  for (const field of ['uid', 'gid', 'size'] as const) {
    if (header[field] > octalMax(FIELD[field][1])) pax.set(field, Buffer.from(String(header[field])));
  }
  const mtime = Math.floor(header.mtime);
  if (mtime < 0 || mtime > octalMax(FIELD.mtime[1])) pax.set('mtime', Buffer.from(String(mtime)));
  for (const [key, value] of header.xattrs ?? []) pax.set(`SCHILY.xattr.${key}`, value);

  const main = ustarBlock(header, nameBytes, linkBytes, mtime);
  if (pax.size === 0) return main;
  const records = encodePaxRecords(pax);
  const paxHeader: TarHeader = { name: paxName(header.name), type: 'file', mode: 0o644, uid: 0, gid: 0, size: records.length, mtime: 0 };
  const paxBlock = ustarBlock(paxHeader, Buffer.from(paxHeader.name), Buffer.alloc(0), 0, 0x78);
  return Buffer.concat([paxBlock, records, Buffer.alloc(paddingOf(records.length)), main]);
}

function paxName(name: string): string {
  const base = Buffer.from(name.slice(name.lastIndexOf('/') + 1), 'utf8').subarray(0, 80).toString('latin1');
  return `PaxHeaders/${base.replace(/[^\x20-\x7e]/g, '_')}`;
}

function ustarBlock(h: TarHeader, nameBytes: Buffer, linkBytes: Buffer, mtime: number, typeflag = TYPEFLAG[h.type]): Buffer {
  const b = Buffer.alloc(BLOCK);
  nameBytes.copy(b, FIELD.name[0], 0, Math.min(nameBytes.length, 100));
  writeOctal(b, FIELD.mode, h.mode & 0o7777);
  writeOctal(b, FIELD.uid, h.uid);
  writeOctal(b, FIELD.gid, h.gid);
  writeOctal(b, FIELD.size, h.type === 'file' ? h.size : 0);
  writeOctal(b, FIELD.mtime, mtime);
  b[FIELD.typeflag[0]] = typeflag;
  linkBytes.copy(b, FIELD.linkname[0], 0, Math.min(linkBytes.length, 100));
  b.write('ustar\u000000', FIELD.magic[0], 'latin1');
  if (h.type === 'char' || h.type === 'block') {
    writeOctal(b, FIELD.devmajor, h.devmajor ?? 0);
    writeOctal(b, FIELD.devminor, h.devminor ?? 0);
  }
  const sum = headerChecksum(b);
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, FIELD.chksum[0], 'latin1');
  return b;
}

/** Octal with a NUL terminator; values that do not fit are written as 0 (PAX carries them). */
function writeOctal(b: Buffer, [offset, width]: readonly [number, number], value: number): void {
  const v = value >= 0 && value <= octalMax(width) ? value : 0;
  b.write(v.toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1');
}

/** `"<len> <key>=<value>\n"` records, the length counting itself. */
export function encodePaxRecords(records: Map<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const key of [...records.keys()].sort()) {
    const value = records.get(key) as Buffer;
    const base = Buffer.byteLength(key) + value.length + 3;
    let len = base + String(base).length;
    if (String(len).length > String(base).length) len += 1;
    parts.push(Buffer.from(`${len} ${key}=`, 'utf8'), value, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}
