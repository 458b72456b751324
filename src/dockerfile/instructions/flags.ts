import { FrontendFailure } from '../errors';
import { suggest } from '../suggest';

type FlagType = 'bool' | 'string' | 'strings';

export interface FlagValues {
  /** flag names that were given */
  used: string[];
  bool(name: string): boolean;
  /** undefined when the flag was not given */
  string(name: string): string | undefined;
  strings(name: string): string[];
  has(name: string): boolean;
}

const invalid = (msg: string): FrontendFailure => new FrontendFailure('DOCKERFILE_FLAG_INVALID', msg);

/**
 * Parse an instruction's `--flags` against the flags it declares, as BuildKit's
 * BFlags does: unknown flags fail (with a suggestion), a flag other than a
 * list flag may appear once, `--bool` alone means true, a bare `--` ends flags.
 */
export function parseFlags(args: readonly string[], declared: Record<string, FlagType>): FlagValues {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const used: string[] = [];
  for (const a of args) {
    if (a === '--') break;
    if (!a.startsWith('--')) throw invalid(`arg should start with -- : ${a}`);
    const eq = a.indexOf('=');
    const flagName = eq < 0 ? a : a.slice(0, eq);
    const value = eq < 0 ? undefined : a.slice(eq + 1);
    const name = flagName.slice(2);
    const type = Object.hasOwn(declared, name) ? declared[name] : undefined;
    if (type === undefined) {
      const s = suggest(name, Object.keys(declared));
      throw new FrontendFailure('DOCKERFILE_UNKNOWN_FLAG', `unknown flag: ${flagName}`, s ? `did you mean --${s}?` : undefined);
    }
    if (used.includes(name) && type !== 'strings') throw invalid(`duplicate flag specified: ${flagName}`);
    if (!used.includes(name)) used.push(name);
    if (type === 'bool') {
      if (value === '') throw invalid(`missing a value on flag: ${flagName}`);
      const v = (value ?? 'true').toLowerCase();
      if (v !== 'true' && v !== 'false') throw invalid(`expecting boolean value for flag ${flagName}, not: ${value}`);
      values.set(name, v);
    } else {
      if (value === undefined) throw invalid(`missing a value on flag: ${flagName}`);
      if (type === 'string') values.set(name, value);
      else lists.set(name, [...(lists.get(name) ?? []), value]);
    }
  }
  return {
    used,
    bool: (n) => values.get(n) === 'true',
    string: (n) => values.get(n),
    strings: (n) => lists.get(n) ?? [],
    has: (n) => used.includes(n),
  };
}
