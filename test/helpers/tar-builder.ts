import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';

export interface TarMember {
  name: string;
  data?: Buffer | string;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
}

/** Write a tar of small members (for hand-made, possibly broken, archives). */
export async function writeTar(file: string, members: TarMember[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack as unknown as NodeJS.ReadableStream, createWriteStream(file));
  for (const m of members) {
    if (m.type === 'directory') pack.entry({ name: m.name, type: 'directory', mode: 0o755 });
    else if (m.type === 'symlink') pack.entry({ name: m.name, type: 'symlink', linkname: m.linkname ?? '' });
    else pack.entry({ name: m.name, mode: 0o644 }, m.data ?? '');
  }
  pack.finalize();
  await done;
}

/** Read every member of a tar into memory (test archives only). */
export async function readTar(file: string): Promise<Map<string, Buffer>> {
  const fs = await import('node:fs');
  const extract = tar.extract();
  const out = new Map<string, Buffer>();
  const feeding = pipeline(fs.createReadStream(file), extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  await feeding;
  return out;
}
