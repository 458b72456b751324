import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../../errors';
import { writeFileAtomic } from '../../store';

const VERSION = 1;
/** entries changed this recently are not persisted (a write in the same clock tick would go unseen) */
const RACY_NS = 100_000_000n;

/** rows no process used for this many saves are dropped (files gone, or never selected again) */
const KEEP_SAVES = 50;

type Row = [size: string, mtimeNs: string, ctimeNs: string, ino: string, dev: string, sha256: string, lastUsed: number];

/**
 * Content hashes of one tree's regular files, keyed by relative path and
 * valid while (size, mtime, ctime, inode, device) are unchanged, so an
 * unchanged context is not re-read. With a directory it persists as one
 * JSON file per tree root, written atomically; without, it lives in memory.
 * Rows unused for KEEP_SAVES saves are dropped, so the file does not grow
 * with every file a context ever had.
 */
export class StatCache {
  private rows = new Map<string, Row>();
  private dirty = false;
  private loaded = false;
  /** how many times the file was saved; a row records the generation that last used it */
  private generation = 0;

  constructor(
    readonly root: string,
    private readonly file?: string,
    private readonly keepSaves = KEEP_SAVES,
  ) {}

  static fileFor(dir: string, root: string): string {
    return path.join(dir, createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 32) + '.json');
  }

  get(rel: string, st: fs.BigIntStats): string | undefined {
    this.load();
    const row = this.rows.get(rel);
    if (row === undefined) return undefined;
    const want = key(st);
    for (let i = 0; i < 5; i++) if (row[i] !== want[i]) return undefined;
    row[6] = this.generation + 1;
    return row[5];
  }

  set(rel: string, st: fs.BigIntStats, sha256: string): void {
    this.rows.set(rel, [...key(st), sha256, this.generation + 1]);
    this.dirty = true;
  }

  /** Persist what changed (no-op in memory or when nothing did). */
  async save(): Promise<void> {
    if (this.file === undefined || !this.dirty) return;
    const racy = BigInt(Date.now()) * 1_000_000n - RACY_NS;
    this.generation++;
    const entries: Record<string, Row> = {};
    for (const [rel, row] of this.rows) {
      if (this.generation - (row[6] ?? 0) >= this.keepSaves) this.rows.delete(rel);
      else if (BigInt(row[1]) < racy && BigInt(row[2]) < racy) entries[rel] = row;
    }
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    await writeFileAtomic(this.file, JSON.stringify({ version: VERSION, root: this.root, generation: this.generation, entries }));
    this.dirty = false;
  }

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (this.file === undefined) return;
    let doc: { version?: number; root?: string; generation?: number; entries?: Record<string, Row> };
    try {
      doc = JSON.parse(fs.readFileSync(this.file, 'utf8')) as typeof doc;
    } catch (err) {
      if (isErrno(err, 'ENOENT') || err instanceof SyntaxError) return; // none yet, or torn by a crash: start over
      throw err;
    }
    if (doc.version !== VERSION || doc.root !== this.root || typeof doc.entries !== 'object') return;
    this.rows = new Map(Object.entries(doc.entries!));
    this.generation = doc.generation ?? 0;
  }
}

function key(st: fs.BigIntStats): [string, string, string, string, string] {
  return [String(st.size), String(st.mtimeNs), String(st.ctimeNs), String(st.ino), String(st.dev)];
}

const CHUNK = 1024 * 1024;
let chunkBuf: Buffer | undefined;

/** sha256 (hex) of a regular file, never following a symlink: sync 1 MiB reads into one reused buffer (one read for a small file). */
export function hashFile(abs: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    chunkBuf ??= Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = fs.readSync(fd, chunkBuf, 0, CHUNK, null);
      h.update(chunkBuf.subarray(0, n));
      if (n < CHUNK) break; // a short read of a regular file is its end
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}
