/* eslint-disable @typescript-eslint/no-require-imports */
// Run as `node record-modules.js ROOT` by build-snapshot.ts, in a process of its own so that it
// sees every module load: loads what a start-up snapshot holds (cli/start, cli/main, commander,
// every command module and the areas of `images`, `inspect`, `run`) and prints the manifest
// (snapshot-manifest.ts) that the snapshot entry replays: the modules in the order they ran, and
// how each directory's requires resolved.
import type { SnapshotKind } from './snapshot-files';
import type { SnapshotManifest } from './snapshot-manifest';
import type { lazy as Lazy } from '../lazy';

/**
 * The areas loaded on first use (cli/lazy.ts) that each kind of snapshot holds (snapshot-files.ts);
 * with runtimeSpec (the parsers of `run -v` and `--env-file`) `hoist run` reads no module of ours
 * from disk before runc (docs/run.md). The build heap holds the build area and not the others:
 * a no-op rebuild runs none of them (a step that misses the cache loads the run path from disk),
 * and each of the ~50 modules less is less heap to deserialize at every start (docs/bench.md).
 */
const BASE_AREAS: ReadonlyArray<keyof typeof Lazy> = ['describeImage', 'resolveImage', 'bundle', 'runtimeSpec', 'selectSnapshotter', 'runtime'];
const SNAPSHOT_AREAS: Record<SnapshotKind, ReadonlyArray<keyof typeof Lazy>> = { base: BASE_AREAS, build: ['build'], push: BASE_AREAS, query: ['describeImage', 'resolveImage'] };
const QUERY_COMMANDS = new Set(['images', 'inspect', 'history']);
/** The command modules each heap holds: every one, or those of the build and query heaps (commands/index.ts). */
const SNAPSHOT_COMMANDS: Record<SnapshotKind, (name: string) => boolean> = { base: () => true, build: (name) => name === 'build', push: () => true, query: (name) => QUERY_COMMANDS.has(name) };
/** ... and the modules (under dist/src) that a command loads itself, not through cli/lazy.ts */
const SNAPSHOT_MODULES: Record<SnapshotKind, readonly string[]> = { base: [], build: [], push: ['registry/push/push-image.js'], query: [] };

interface LoaderInternals {
  _resolveFilename(request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]): string;
  _extensions: Record<string, (module: unknown, filename: string) => void>;
  prototype: { _compile(this: unknown, content: string, filename: string): unknown };
  isBuiltin(id: string): boolean;
  createRequire(file: string): NodeJS.Require;
}

const fs = require('node:fs') as typeof import('node:fs');
const path = require('node:path') as typeof import('node:path');
const Module = require('node:module') as LoaderInternals;

/** A dynamic import() outside a comment: such a module cannot run from a snapshot. */
const DYNAMIC_IMPORT = /(?<![\w$.'"`])import\s*\(/;
/**
 * A top-level statement (tsc writes them at column 0) that reads the state of
 * the process or the clock: in a snapshot it would keep the builder's values
 * (its pid, environment, host, time). Such a module must ask on first use.
 */
const TOP_LEVEL = /^(const|let|var|exports\.[\w$]+ =|module\.exports =)/;
/** ... unless it only defines a function (`const f = () => ...`), which reads it when called */
const FUNCTION_VALUE = /^[^=]*=\s*(async\s+)?(function\b|(\([^)]*\)|[\w$]+)\s*=>)/;
const PROCESS_STATE = /\bprocess\.(env|argv|cwd|pid|ppid|getuid|geteuid|getgid|umask|hrtime)\b|\bos\.(homedir|tmpdir|userInfo|hostname|cpus)\(|\bDate\.now\(|\bnew Date\(\)|\bMath\.random\(|\brandom(Bytes|UUID)\(/;

function record(root: string, kind: SnapshotKind): SnapshotManifest {
  const order: string[] = [];
  const resolve: Record<string, Record<string, string>> = {};
  const note = (dir: string, request: string, to: string): void => {
    (resolve[dir] ??= {})[request] = Module.isBuiltin(to) ? `node:${to.replace(/^node:/, '')}` : to;
  };
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, parent, ...rest) {
    const to = resolveFilename.call(this, request, parent, ...rest);
    if (parent?.filename) note(path.dirname(parent.filename), request, to);
    return to;
  };
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    order.push(filename);
    return compile.call(this, content, filename);
  };
  const json = Module._extensions['.json'] as (module: unknown, filename: string) => void;
  Module._extensions['.json'] = (module, filename) => {
    order.push(filename);
    json(module, filename);
  };
  Module._extensions['.node'] = (_module, filename) => {
    throw new Error(`a native addon is loaded at start (${filename}): it cannot be in a snapshot`);
  };

  const cli = path.join(root, 'dist', 'src', 'cli');
  const start = path.join(cli, 'start.js');
  const warmUp = path.join(cli, 'snapshot', 'warm-up.js');
  require(start);
  require(warmUp);
  require(path.join(cli, 'main.js'));
  const { COMMAND_LOADERS } = require(path.join(cli, 'commands', 'index.js')) as typeof import('../commands');
  for (const [name, load] of COMMAND_LOADERS) if (SNAPSHOT_COMMANDS[kind](name)) load();
  const { lazy } = require(path.join(cli, 'lazy.js')) as { lazy: typeof Lazy };
  for (const area of SNAPSHOT_AREAS[kind]) lazy[area]();
  for (const file of SNAPSHOT_MODULES[kind]) require(path.join(root, 'dist', 'src', file));

  const files: string[] = [];
  const deferred: string[] = [];
  const stateAtLoad: string[] = [];
  for (const file of order) {
    const source = fs.readFileSync(file, 'utf8');
    const code = source.split('\n').filter((l) => !/^\s*(\*|\/\/|\/\*)/.test(l));
    (code.some((l) => DYNAMIC_IMPORT.test(l)) ? deferred : files).push(file);
    for (const line of code) if (TOP_LEVEL.test(line) && !FUNCTION_VALUE.test(line) && PROCESS_STATE.test(line)) stateAtLoad.push(`${file}: ${line.trim()}`);
    // requires not run while recording (inside functions: lazy loads) resolve the same way later
    const req = Module.createRequire(file);
    for (const m of source.matchAll(/\brequire\((["'])([^"'\n]+)\1\)/g)) {
      const request = m[2] as string;
      if (request.startsWith('node:') || resolve[path.dirname(file)]?.[request] !== undefined) continue;
      try {
        note(path.dirname(file), request, req.resolve(request));
      } catch {
        /* not installed (optional): node's require says so at run time */
      }
    }
  }
  if (stateAtLoad.length > 0) throw new Error(`modules read the process's state as they load (a snapshot would keep the builder's): ${stateAtLoad.join('; ')}`);
  return { root, kind, start, warmUp, files, deferred, resolve };
}

try {
  const kind = process.argv[3] as SnapshotKind;
  if (!Object.hasOwn(SNAPSHOT_AREAS, kind)) throw new Error(`no snapshot kind ${kind}`);
  process.stdout.write(JSON.stringify(record(fs.realpathSync(process.argv[2] as string), kind)));
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
