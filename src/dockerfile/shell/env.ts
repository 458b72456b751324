/**
 * The environment a word is expanded against: BuildKit's EnvGetter. Keys are
 * case-sensitive (Unix semantics); `keys()` keeps declaration order, and is
 * what "did you mean" suggestions are drawn from.
 */
export interface EnvGetter {
  get(name: string): string | undefined;
  keys(): string[];
}

/** An EnvGetter over a record or a Map (later entries win). */
export function envFrom(vars: Record<string, string> | Map<string, string> | undefined): EnvGetter {
  const map = vars instanceof Map ? vars : new Map(Object.entries(vars ?? {}));
  return {
    get: (name) => map.get(name),
    keys: () => [...map.keys()],
  };
}

/** An EnvGetter over `KEY=value` strings, as an image config's Env holds them. */
export function envFromList(list: readonly string[]): EnvGetter {
  const map = new Map<string, string>();
  for (const kv of list) {
    const i = kv.indexOf('=');
    if (i < 0) map.set(kv, '');
    else map.set(kv.slice(0, i), kv.slice(i + 1));
  }
  return envFrom(map);
}

/** An environment with nothing set. */
export const EMPTY_ENV: EnvGetter = { get: () => undefined, keys: () => [] };
