/* eslint-disable @typescript-eslint/no-require-imports */

interface LoaderInternals {
  _load(request: string, parent: { filename?: string | null } | undefined, isMain: boolean): unknown;
}

/** A node builtin to hand out as a stand-in, to the modules whose file name matches `from`. */
export interface DeferredBuiltin {
  name: string;
  from: RegExp;
}

/**
 * Builtins that cost start time and that most commands never call
 * (docs/run.md, "Start time"): commander requires `node:child_process` at
 * load, for git-style executable subcommands hoist does not have; it pulls in
 * net, dgram and the stream machinery (~10 ms of CPU; commander 63 -> 8 ms wall
 * at load ~6). (`node:crypto` costs as much, but every command that reads a
 * blob verifies its digest.)
 */
export const START_DEFERRED: readonly DeferredBuiltin[] = [{ name: 'child_process', from: /[\\/]node_modules[\\/]commander[\\/]/ }];

/**
 * From now on, `require('node:NAME')` from a matching module returns a
 * stand-in whose first property access loads the real module. Modules that
 * enumerate a builtin (`import * as`) load it at once, as before.
 */
export function deferBuiltins(deferred: readonly DeferredBuiltin[] = START_DEFERRED): void {
  const Module = require('node:module') as LoaderInternals;
  const original = Module._load;
  const standIns = new Map<string, { from: RegExp; proxy: object }>();
  for (const d of deferred) {
    let real: Record<string | symbol, unknown> | undefined;
    const load = (): Record<string | symbol, unknown> => (real ??= original.call(Module, d.name, undefined, false) as Record<string | symbol, unknown>);
    const proxy = new Proxy({} as Record<string | symbol, unknown>, {
      get: (_t, key) => load()[key],
      has: (_t, key) => key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_t, key) => {
        const desc = Object.getOwnPropertyDescriptor(load(), key);
        return desc === undefined ? undefined : { ...desc, configurable: true };
      },
    });
    standIns.set(d.name, { from: d.from, proxy });
  }
  Module._load = function (request, parent, isMain) {
    const entry = standIns.get(request.startsWith('node:') ? request.slice(5) : request);
    if (entry !== undefined && entry.from.test(parent?.filename ?? '')) return entry.proxy;
    return original.call(this, request, parent, isMain);
  };
}
