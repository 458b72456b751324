import { FrontendFailure } from '../errors';

type MatchType = 'exact' | 'prefix' | 'suffix' | 'regexp';

const SHOULD_ESCAPE = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/**
 * Check a pattern against filepath.Match's grammar (the check patternmatcher
 * runs when it builds a matcher): classes must be closed and non-empty, ranges
 * complete, and a `\` must escape something.
 */
export function validateGlob(p: string): void {
  const bad = (): FrontendFailure => new FrontendFailure('DOCKERFILE_IGNORE_PATTERN', `syntax error in pattern: ${JSON.stringify(p)}`, 'close every [ with ] and do not end a pattern with \\');
  const chars = Array.from(p);
  let i = 0;
  const esc = (): void => {
    if (i >= chars.length || chars[i] === '-' || chars[i] === ']') throw bad();
    if (chars[i] === '\\') {
      i++;
      if (i >= chars.length) throw bad();
    }
    i++;
    if (i >= chars.length) throw bad();
  };
  while (i < chars.length) {
    const c = chars[i]!;
    if (c === '\\') {
      i += 2;
      if (i > chars.length) throw bad();
    } else if (c === '[') {
      i++;
      if (chars[i] === '^') i++;
      let ranges = 0;
      for (;;) {
        if (chars[i] === ']' && ranges > 0) {
          i++;
          break;
        }
        esc();
        if (chars[i] === '-') {
          i++;
          esc();
        }
        ranges++;
      }
    } else i++;
  }
}

/** One compiled .dockerignore pattern (patternmatcher's Pattern). */
export class IgnorePattern {
  readonly exclusion: boolean;
  /** the cleaned pattern without its `!` */
  readonly cleaned: string;
  readonly dirs: string[];
  private type: MatchType = 'exact';
  private regexp?: RegExp;

  constructor(cleaned: string, exclusion: boolean) {
    this.cleaned = cleaned;
    this.exclusion = exclusion;
    this.dirs = cleaned.split('/');
    this.compile();
  }

  toString(): string {
    return (this.exclusion ? '!' : '') + this.cleaned;
  }

  private compile(): void {
    const chars = Array.from(this.cleaned);
    let re = '^';
    let type: MatchType = 'exact';
    for (let i = 0, k = 0; k < chars.length; i++) {
      const ch = chars[k++]!;
      if (ch === '*') {
        if (chars[k] === '*') {
          k++;
          if (chars[k] === '/') k++;
          if (k >= chars.length) {
            if (type === 'exact') type = 'prefix';
            else {
              re += '[^\\n]*';
              type = 'regexp';
            }
          } else {
            re += '([^\\n]*/)?';
            type = 'regexp';
          }
          if (i === 0) type = 'suffix';
        } else {
          re += '[^/]*';
          type = 'regexp';
        }
      } else if (ch === '?') {
        re += '[^/]';
        type = 'regexp';
      } else if (SHOULD_ESCAPE.has(ch)) {
        re += '\\' + ch;
      } else if (ch === '\\') {
        if (k < chars.length) {
          re += '\\' + chars[k++]!;
          type = 'regexp';
        } else re += '\\\\';
      } else if (ch === '[' || ch === ']') {
        re += ch;
        type = 'regexp';
      } else {
        re += ch;
      }
    }
    this.type = type;
    if (type === 'regexp') {
      try {
        this.regexp = new RegExp(re + '$');
      } catch {
        throw new FrontendFailure('DOCKERFILE_IGNORE_PATTERN', `syntax error in pattern: ${JSON.stringify(this.cleaned)}`);
      }
    }
  }

  /** Does the pattern match this slash-separated relative path exactly? */
  match(path: string): boolean {
    switch (this.type) {
      case 'exact':
        return path === this.cleaned;
      case 'prefix':
        return path.startsWith(this.cleaned.slice(0, -2));
      case 'suffix': {
        const suffix = this.cleaned.slice(2);
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      default:
        return this.regexp!.test(path);
    }
  }
}
