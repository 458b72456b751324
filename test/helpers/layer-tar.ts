import { encodeHeader, type TarHeader } from '../../src/layer';

export interface TarSpec {
  header: Partial<TarHeader> & { name: string };
  body?: Buffer | string;
}

/** A tar archive built in memory from specs (for crafted and hostile layers; small only). */
export function tarOf(specs: readonly TarSpec[], options: { end?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const spec of specs) {
    const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.from(spec.body);
    const header: TarHeader = { type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1_600_000_000, ...spec.header, size: spec.header.size ?? body.length };
    parts.push(encodeHeader(header), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  if (options.end !== false) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
