import { FrontendFailure } from '../errors';
import type { ChmodSpec, ChownSpec, SourceKind, SymbolicModeClause } from './types';
import { parseGitRef } from './git-ref';
import { parseUint32 } from './values';

const invalid = (msg: string, hint?: string): FrontendFailure => new FrontendFailure('DOCKERFILE_FLAG_INVALID', msg, hint);

/**
 * `--chmod`: an octal mode up to 07777, or a symbolic mode as chmod(1) writes
 * it (`u+x`, `go-w`, `a=rX`, several clauses joined by commas).
 */
export function parseChmod(raw: string): ChmodSpec {
  const octal = parseUint32(raw, 8);
  const nonOctal = `invalid chmod parameter: '${raw}'. it should be octal string and between 0 and 07777`;
  if (octal !== undefined) {
    if (octal > 0o7777) throw invalid(nonOctal);
    return { raw, octal };
  }
  if (/^[0-9]+$/.test(raw)) throw invalid(nonOctal);
  const symbolic: SymbolicModeClause[] = [];
  for (const clause of raw.split(',')) {
    const m = /^([ugoa]*)((?:[-+=][rwxXst]*|[-+=][ugo])+)$/.exec(clause);
    if (!m) throw invalid(`invalid chmod parameter: '${raw}'`, 'use an octal mode such as 0755 or a symbolic one such as u+x,g-w');
    for (const op of m[2]!.match(/[-+=][^-+=]*/g) ?? []) {
      symbolic.push({ who: m[1] || 'a', op: op[0] as '+' | '-' | '=', perms: op.slice(1) });
    }
  }
  return { raw, symbolic };
}

/** `--chown=user[:group]`. */
export function parseChown(raw: string): ChownSpec {
  const i = raw.indexOf(':');
  return i < 0 ? { raw, user: raw } : { raw, user: raw.slice(0, i), group: raw.slice(i + 1) };
}

/** Is an ADD source a Git repository (BuildKit's ParseGitRef; a malformed query still names one)? */
export function isGitSource(src: string): boolean {
  try {
    return parseGitRef(src) !== undefined;
  } catch {
    return true;
  }
}

/** Context path, HTTP(S) URL or Git repository. */
export function sourceKind(src: string): SourceKind {
  if (isGitSource(src)) return 'git';
  if (src.startsWith('http://') || src.startsWith('https://')) return 'url';
  return 'context';
}
