/* eslint-disable @typescript-eslint/no-require-imports */
// The entry of `node --build-snapshot` (cli/snapshot/build-snapshot.ts runs it). On Node 20 such an
// entry may require node's builtins only, so this file imports nothing of hoist: it reads the
// modules the manifest lists, compiles each as node's CommonJS loader would (same wrapper, same
// file name in stack traces), runs the entries, and leaves a heap in which cli/main, commander,
// every command module and the areas of the common commands are loaded. The deserialized main
// (run by `node --snapshot-blob BLOB -- ARGS`) hands those modules to node's loader and starts
// hoist; if any of their files changed since, it starts hoist from disk instead (docs/run.md).
// (TypeScript marks this file as a module with `exports`, which a snapshot entry does not have:
// build-snapshot.ts runs it with `var exports = {};` before it.)
import type { SnapshotManifest } from './snapshot-manifest';

interface TableModule {
  exports: unknown;
  filename: string;
  id: string;
  loaded: boolean;
  children: unknown[];
  paths: string[];
}

type Compiled = (exports: unknown, require: (id: string) => unknown, module: TableModule, filename: string, dirname: string) => void;

/** Builtins node has verified in user snapshots (others warn: "not yet fully verified"). */
const SNAPSHOT_SAFE = new Set(
  'assert buffer constants crypto diagnostics_channel dns events fs fs/promises net os path process punycode querystring stream stream/promises string_decoder timers timers/promises url util util/types v8 zlib'.split(' '),
);

const fs = require('node:fs') as typeof import('node:fs');
const path = require('node:path') as typeof import('node:path');
const v8 = require('node:v8') as typeof import('node:v8');
const builtin = require as (id: string) => unknown;

const manifest = JSON.parse(fs.readFileSync(process.env.HOIST_SNAPSHOT_MANIFEST as string, 'utf8')) as SnapshotManifest;
const inTable = new Set(manifest.files);
const deferred = new Set(manifest.deferred);
/** each module file as it was read: its size and mtime then, to tell a changed file at start */
const seen: [string, number, number][] = [];
const compiled = new Map<string, Compiled>();
const instances = new Map<string, TableModule>();
/** after deserialization: node's own require, from a module's file */
let diskRequire: ((from: string, id: string) => unknown) | undefined;

for (const file of manifest.files) {
  const st = fs.statSync(file);
  const source = fs.readFileSync(file, 'utf8');
  seen.push([file, st.size, st.mtimeMs]);
  const body = file.endsWith('.json') ? `module.exports = JSON.parse(${JSON.stringify(source.replace(/^\uFEFF/, ''))});` : source.replace(/^#!.*/, '');
  // indirect eval: a script of its own, named by the file; line 1 of the file stays line 1
  compiled.set(file, (0, eval)(`(function (exports, require, module, __filename, __dirname) {${body}\n})\n//# sourceURL=${file}`) as Compiled);
}

/**
 * A stand-in for what must not run while the snapshot is built: loaded on first use after it.
 * The same lazy Proxy as cli/defer-builtins.ts's, written again because this entry may require
 * node's builtins only (see the top of the file).
 */
function standIn(what: string, load: () => unknown): object {
  let real: Record<string | symbol, unknown> | undefined;
  const get = (): Record<string | symbol, unknown> => {
    if (diskRequire === undefined) throw new Error(`hoist snapshot: ${what} is used while the snapshot is built`);
    return (real ??= load() as Record<string | symbol, unknown>);
  };
  return new Proxy({} as Record<string | symbol, unknown>, {
    get: (_t, key) => get()[key],
    has: (_t, key) => key in get(),
    ownKeys: () => Reflect.ownKeys(get()),
    getOwnPropertyDescriptor: (_t, key) => {
      const desc = Object.getOwnPropertyDescriptor(get(), key);
      return desc === undefined ? undefined : { ...desc, configurable: true };
    },
  });
}

function requireFrom(file: string, id: string): unknown {
  const to = id.startsWith('node:') ? id : manifest.resolve[path.dirname(file)]?.[id];
  if (to !== undefined && to.startsWith('node:')) {
    if (diskRequire !== undefined || SNAPSHOT_SAFE.has(to.slice(5))) return builtin(to);
    return standIn(to, () => builtin(to));
  }
  if (to !== undefined && inTable.has(to)) return load(to);
  if (diskRequire !== undefined) return diskRequire(file, id);
  if (to !== undefined && deferred.has(to)) return standIn(to, () => (diskRequire as (f: string, i: string) => unknown)(file, id));
  throw new Error(`hoist snapshot: ${file} requires ${id}, which is not in the snapshot`);
}

function load(file: string): unknown {
  const hit = instances.get(file);
  if (hit !== undefined) return hit.exports;
  const module: TableModule = { exports: {}, filename: file, id: file, loaded: false, children: [], paths: [] };
  instances.set(file, module);
  const require = (id: string): unknown => requireFrom(file, id);
  (compiled.get(file) as Compiled).call(module.exports, module.exports, require, module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}

for (const file of manifest.files) load(file);
// node serializes the heap once the event loop is empty: after this (a failure fails the build)
void (load(manifest.warmUp) as { warmUp(kind: SnapshotManifest['kind']): Promise<void> }).warmUp(manifest.kind);

interface ModuleClass {
  new (id: string, parent: null): { filename: string; exports: unknown; loaded: boolean };
  _cache: Record<string, unknown>;
  createRequire(file: string): (id: string) => unknown;
}

type Start = (argv: string[], root: string, how: 'snapshot' | 'stale') => void;

v8.startupSnapshot.setDeserializeMainFunction(() => {
  const Module = builtin('node:module') as ModuleClass;
  const requires = new Map<string, (id: string) => unknown>();
  diskRequire = (from, id) => {
    const dir = path.dirname(from);
    let req = requires.get(dir);
    if (req === undefined) requires.set(dir, (req = Module.createRequire(from)));
    return req(id);
  };
  const argv = process.argv.slice(1);
  const changed = seen.some(([file, size, mtimeMs]) => {
    try {
      const st = fs.statSync(file);
      return st.size !== size || st.mtimeMs !== mtimeMs;
    } catch {
      return true;
    }
  });
  if (changed) {
    // a rebuilt dist or an updated dependency: none of this heap's modules may run
    (diskRequire(path.join(manifest.root, 'bin', 'hoist'), manifest.start) as { start: Start }).start(argv, manifest.root, 'stale');
    return;
  }
  // one instance of each module: what is loaded from disk later gets these from node's cache
  for (const [file, mod] of instances) {
    const m = new Module(file, null);
    m.filename = file;
    m.exports = mod.exports;
    m.loaded = true;
    Module._cache[file] = m;
  }
  (load(manifest.start) as { start: Start }).start(argv, manifest.root, 'snapshot');
});
