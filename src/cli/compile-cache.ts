/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vmTypes from 'node:vm';

/**
 * A V8 code cache for hoist's own modules and its dependencies, so that a
 * command does not compile ~200 modules' JavaScript again on every start
 * (docs/run.md, "Start time"). Node 22 has this built in (`module.enableCompileCache`);
 * on Node 20 CommonJS modules are compiled here through `vm.Script` with
 * `cachedData`, the way the v8-compile-cache package does.
 *
 * The cache is one file per node version and architecture in the user's cache
 * directory (`$HOIST_COMPILE_CACHE`, else `$XDG_CACHE_HOME/hoist`, else
 * `~/.cache/hoist`; `HOIST_COMPILE_CACHE=0` turns it off), never a shared
 * directory: its contents are machine code that this process runs. An entry is
 * used only while its source file keeps its size and mtime (and V8 checks its
 * own version and flags); new entries are written at exit, after the run, so
 * they hold the functions the command compiled lazily too.
 */

interface Entry {
  size: number;
  mtimeMs: number;
  data: Buffer;
}

interface ModuleInternals {
  prototype: { _compile(this: ModuleLike, content: string, filename: string): unknown };
  wrap(script: string): string;
  _resolveFilename(request: string, parent: ModuleLike, isMain: boolean, options?: unknown): string;
  _extensions: unknown;
  _cache: unknown;
}

interface ModuleLike {
  exports: unknown;
  require(id: string): unknown;
}

const MAGIC = 'hoist-v8-cache-1';

/** FNV-1a of a string, hex: names a cache file after the package root without loading node:crypto. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/**
 * Where the cache of the package at `root` is (one file per root, node version
 * and architecture, so that copies of hoist do not grow one file), or
 * undefined when turned off or there is no home.
 */
export function compileCacheFile(root: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = hoistCacheDir(env);
  return dir === undefined ? undefined : path.join(dir, `v8-${process.version}-${process.arch}-${fnv1a(root)}.cache`);
}

/**
 * The directory of hoist's caches of compiled code (this one and the start-up
 * snapshot, cli/snapshot/): `$HOIST_COMPILE_CACHE`, else `$XDG_CACHE_HOME/hoist`,
 * else `~/.cache/hoist`; undefined when `HOIST_COMPILE_CACHE` is `0` or `off`,
 * or there is no home. bin/hoist's shell part finds it by the same rules.
 */
export function hoistCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.HOIST_COMPILE_CACHE;
  if (setting === '0' || setting === 'off') return undefined;
  const home = env.HOME;
  return setting || (env.XDG_CACHE_HOME ? path.join(env.XDG_CACHE_HOME, 'hoist') : home ? path.join(home, '.cache', 'hoist') : undefined);
}

/** Reads `MAGIC\n<index json>\n<blobs>`; anything unreadable is an empty cache. */
function readCache(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    // machine code this process runs: only from a file of our own that nobody else may write
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return entries;
    buf = fs.readFileSync(file);
  } catch {
    return entries;
  }
  const first = buf.indexOf(10);
  const second = buf.indexOf(10, first + 1);
  if (first < 0 || second < 0 || buf.toString('latin1', 0, first) !== MAGIC) return entries;
  try {
    const index = JSON.parse(buf.toString('utf8', first + 1, second)) as [string, number, number, number, number][];
    let at = second + 1;
    for (const [name, size, mtimeMs, , length] of index) {
      entries.set(name, { size, mtimeMs, data: buf.subarray(at, at + length) });
      at += length;
    }
  } catch {
    entries.clear();
  }
  return entries;
}

function writeCache(file: string, entries: Map<string, Entry>): void {
  const index: [string, number, number, number, number][] = [];
  const blobs: Buffer[] = [];
  let at = 0;
  for (const [name, e] of entries) {
    index.push([name, e.size, e.mtimeMs, at, e.data.length]);
    blobs.push(e.data);
    at += e.data.length;
  }
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writePrivate(file, Buffer.concat([Buffer.from(`${MAGIC}\n${JSON.stringify(index)}\n`), ...blobs]));
  } catch {
    /* no cache written: the next start compiles again */
  }
}

/**
 * Writes `data` to `file` atomically with mode 0600: the code cache and the
 * start-up snapshot's files (cli/snapshot/) are code, so nobody else may write them.
 */
export function writePrivate(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** What the cache did in this process: `node` when node's own cache is used instead. */
export interface CompileCacheStats {
  kind: 'off' | 'node' | 'hoist';
  /** modules compiled from cached code */
  hits: number;
  /** modules compiled from source (their code is written at exit) */
  misses: number;
}

/**
 * Compiles CommonJS modules under `root` through the cache from now on.
 * Changes nothing when the cache is off.
 */
export function installCompileCache(root: string, file = compileCacheFile(root)): CompileCacheStats {
  const Module = require('node:module') as ModuleInternals & { enableCompileCache?: (dir?: string) => unknown };
  const stats: CompileCacheStats = { kind: 'off', hits: 0, misses: 0 };
  if (file === undefined) return stats;
  if (typeof Module.enableCompileCache === 'function') {
    Module.enableCompileCache(path.dirname(file)); // Node >= 22.1: node's own cache, same directory
    stats.kind = 'node';
    return stats;
  }
  stats.kind = 'hoist';
  // node:vm on the first compile too: a start from a snapshot compiles nothing of ours, and vm is
  // not in its heap (compiling it from node's source at every start was ~0.5 ms)
  let vm: typeof vmTypes | undefined;
  // read on the first compile: a start from a snapshot (cli/snapshot/) may compile nothing
  let cached: Map<string, Entry> | undefined;
  const cache = (): Map<string, Entry> => (cached ??= readCache(file));
  const fresh = new Map<string, { script: vmTypes.Script; size: number; mtimeMs: number }>();
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  const original = Module.prototype._compile;
  Module.prototype._compile = function (this: ModuleLike, content: string, filename: string): unknown {
    // outside the package, or code that needs node's own dynamic import() hook: node compiles it
    if (!filename.startsWith(prefix) || content.includes('import(')) return original.call(this, content, filename);
    let st: fs.Stats;
    try {
      st = fs.statSync(filename);
    } catch {
      return original.call(this, content, filename);
    }
    const hit = cache().get(filename);
    const usable = hit !== undefined && hit.size === st.size && hit.mtimeMs === st.mtimeMs;
    vm ??= require('node:vm') as typeof vmTypes;
    const script = new vm.Script(Module.wrap(content), { filename, ...(usable ? { cachedData: hit.data } : {}) });
    if (!usable || script.cachedDataRejected === true) {
      fresh.set(filename, { script, size: st.size, mtimeMs: st.mtimeMs });
      stats.misses++;
    } else stats.hits++;
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return fn.call(this.exports, this.exports, requireFor(Module, this), this, filename, path.dirname(filename));
  };
  process.once('exit', () => {
    if (fresh.size === 0) return;
    // entries of files that are gone (a rebuilt dist) would only grow the file
    const entries = cache();
    for (const name of entries.keys()) if (!fresh.has(name) && !fs.existsSync(name)) entries.delete(name);
    for (const [name, f] of fresh) {
      try {
        entries.set(name, { size: f.size, mtimeMs: f.mtimeMs, data: f.script.createCachedData() });
      } catch {
        entries.delete(name);
      }
    }
    writeCache(file, entries);
  });
  return stats;
}

/** The `require` a module's code receives (node's makeRequireFunction, which is not exported). */
function requireFor(Module: ModuleInternals, mod: ModuleLike): NodeJS.Require {
  const req = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: unknown) => Module._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => (require('node:module') as { _resolveLookupPaths(r: string, m: ModuleLike): string[] | null })._resolveLookupPaths(request, mod);
  req.resolve = resolve;
  req.main = require.main;
  req.extensions = Module._extensions as NodeJS.Require['extensions'];
  req.cache = Module._cache as NodeJS.Require['cache'];
  return req;
}
