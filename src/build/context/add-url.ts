import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Dispatcher } from 'undici';
import { BuildError, HoistError } from '../../errors';
import { tlsCaOption } from '../../sys/extra-ca';
import type { Downloaded } from './types';

const CHUNK = 1024 * 1024;

/** The file name BuildKit's dispatcher gives a URL source: the path's base name, else `__unnamed__`. */
export function urlFileName(url: string): string {
  let p: string;
  try {
    p = new URL(url).pathname;
  } catch {
    return '__unnamed__';
  }
  const base = path.posix.basename(p);
  return base === '' || base === '.' || base === '/' ? '__unnamed__' : decodeURIComponent(base);
}

/**
 * ADD's http(s) sources, each fetched once per ContextOps into a private
 * temp directory (streamed, hashed on the way), verified against
 * `--checksum` when one is given; redirects followed as Go's client does.
 */
export class Downloader {
  private readonly done = new Map<string, Promise<Downloaded>>();
  private dir: string | undefined;
  private dispatcher: Dispatcher | undefined;

  constructor(private readonly tmpRoot = os.tmpdir()) {}

  get(url: string, checksum?: string, signal?: AbortSignal): Promise<Downloaded> {
    const key = `${url}\0${checksum ?? ''}`;
    let p = this.done.get(key);
    if (p === undefined) {
      p = this.fetch(url, checksum, signal);
      this.done.set(key, p);
      p.catch(() => this.done.delete(key));
    }
    return p;
  }

  /** Remove every downloaded file. */
  async close(): Promise<void> {
    this.done.clear();
    if (this.dir !== undefined) await fs.promises.rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
    await this.dispatcher?.close();
    this.dispatcher = undefined;
  }

  private async fetch(url: string, checksum: string | undefined, signal?: AbortSignal): Promise<Downloaded> {
    const expected = checksum === undefined ? undefined : parseChecksum(checksum);
    this.dir ??= fs.mkdtempSync(path.join(this.tmpRoot, 'hoist-add-'));
    const file = path.join(this.dir, String(this.done.size) + '-' + createHash('sha256').update(url).digest('hex').slice(0, 16));
    let res: Dispatcher.ResponseData;
    try {
      const { Agent, interceptors, request } = await import('undici'); // loaded only when an ADD names a URL
      this.dispatcher ??= new Agent({ connect: { timeout: 30_000, ...tlsCaOption() } }).compose(interceptors.redirect({ maxRedirections: 10 }));
      res = await request(url, { dispatcher: this.dispatcher, method: 'GET', ...(signal ? { signal } : {}) });
    } catch (err) {
      if (err instanceof HoistError) throw err;
      throw new BuildError('ADD_URL_FAILED', `failed to fetch ${url}: ${(err as Error).message}`, { url }, { cause: err });
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      throw new BuildError('ADD_URL_FAILED', `failed to fetch ${url}: invalid response status ${res.statusCode}`, { url, status: res.statusCode });
    }
    const hash = createHash('sha256');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        size += chunk.length;
        cb(null, chunk);
      },
    });
    await pipeline(res.body, tap, fs.createWriteStream(file, { mode: 0o600, highWaterMark: CHUNK }), ...(signal ? [{ signal }] : []));
    const sha256 = hash.digest('hex');
    if (expected !== undefined && expected !== sha256) {
      fs.rmSync(file, { force: true });
      throw new BuildError('ADD_CHECKSUM_MISMATCH', `digest mismatch for ${url}: sha256:${sha256} (expected: sha256:${expected})`, {
        url,
        expected: `sha256:${expected}`,
        found: `sha256:${sha256}`,
      });
    }
    const lm = res.headers['last-modified'];
    const parsed = typeof lm === 'string' ? Date.parse(lm) : NaN;
    return {
      file,
      name: urlFileName(url),
      sha256,
      size,
      mtimeMs: Number.isNaN(parsed) ? Date.now() : parsed,
      ...(typeof lm === 'string' ? { lastModified: lm } : {}),
    };
  }
}

function parseChecksum(checksum: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(checksum);
  if (!m) throw new BuildError('ADD_CHECKSUM_INVALID', `invalid checksum ${JSON.stringify(checksum)}: expected sha256:<64 hex digits>`, { checksum });
  return m[1]!;
}
