import { isGoDigit, isGoLetter, isGoSpace } from '../text';
import type { EnvGetter } from './env';
import { goReplaceAll, PatternError, replaceFirst, shellPatternToRegex, trimPrefix, trimSuffix } from './pattern';

/** A failure inside the lexer; `expand.ts` wraps it into a coded error. */
export class LexError extends Error {}

export interface LexOptions {
  /** `\` (default) or the backtick of `# escape=``. */
  escapeToken?: string;
  /** keep quote characters in the result (heredoc detection) */
  rawQuotes?: boolean;
  /** keep escape characters in the result (heredoc detection) */
  rawEscapes?: boolean;
  /** treat quotes as plain characters (heredoc bodies) */
  skipProcessQuotes?: boolean;
  /** leave references to unset variables as written */
  skipUnsetEnv?: boolean;
}

export interface LexResult {
  result: string;
  words: string[];
  /** names looked up and found (sorted) */
  matched: string[];
  /** names looked up and not found (sorted) */
  unmatched: string[];
}

const EOF = -1;
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0'].map((c) => c.codePointAt(0)!));
const cp = (c: string): number => c.codePointAt(0)!;
const DOLLAR = cp('$');
const LT = cp('<');
const SQUOTE = cp("'");
const DQUOTE = cp('"');
const LBRACE = cp('{');
const RBRACE = cp('}');
const COLON = cp(':');
const SLASH = cp('/');
const chr = (c: number): string => (c === EOF ? '\ufffd' : String.fromCodePoint(c));

/** Split-into-words state; `buf` is shared by nested scans exactly as BuildKit shares it. */
class Words {
  words: string[] = [];
  inWord = false;
  constructor(private readonly shared: { buf: string }) {}
  addChar(c: number): void {
    if (isGoSpace(c)) {
      if (this.inWord && this.shared.buf.length !== 0) {
        this.words.push(this.shared.buf);
        this.shared.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(chr(c));
    }
  }
  addRaw(s: string): void {
    this.shared.buf += s;
    this.inWord = true;
  }
  addString(s: string): void {
    for (const c of s) this.addChar(c.codePointAt(0)!);
  }
  finish(): string[] {
    if (this.shared.buf.length > 0) {
      this.words.push(this.shared.buf);
      this.shared.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

/**
 * One run of BuildKit's shell lexer over one word (ProcessWord / ProcessWords):
 * quotes, escapes, `$x`, `${x}` and the `${x<op>w}` forms. Not reentrant: make
 * one per word (cheap).
 */
class Scan {
  private pos = 0;
  private readonly shared = { buf: '' };
  private rawEscapes: boolean;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();
  private readonly escape: number;

  constructor(
    private readonly src: string,
    private readonly env: EnvGetter,
    private readonly opt: LexOptions,
  ) {
    this.rawEscapes = opt.rawEscapes ?? false;
    this.escape = cp(opt.escapeToken ?? '\\');
  }

  private peek(): number {
    return this.pos < this.src.length ? this.src.codePointAt(this.pos)! : EOF;
  }
  private next(): number {
    const c = this.peek();
    if (c !== EOF) this.pos += c > 0xffff ? 2 : 1;
    return c;
  }

  run(): { result: string; words: string[] } {
    return this.stopOn(EOF, this.rawEscapes);
  }

  private stopOn(stop: number, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    this.shared.buf = '';
    const words = new Words(this.shared);
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      while (this.peek() !== EOF) {
        let c = this.peek();
        if (stop !== EOF && c === stop) {
          this.next();
          return { result, words: words.finish() };
        }
        const special = this.special(c);
        if (special) {
          const tmp = special();
          result += tmp;
          if (c === DOLLAR) words.addString(tmp);
          else words.addRaw(tmp);
          continue;
        }
        c = this.next();
        if (c === this.escape) {
          if (this.rawEscapes) {
            words.addRaw(chr(c));
            result += chr(c);
          }
          c = this.next();
          if (c === EOF) break;
          words.addRaw(chr(c));
        } else {
          words.addChar(c);
        }
        result += chr(c);
      }
      if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${chr(stop)}`);
      return { result, words: words.finish() };
    } finally {
      this.rawEscapes = saved;
    }
  }

  private special(c: number): (() => string) | undefined {
    if (c === DOLLAR) return () => this.dollar();
    if (c === LT) return () => this.possibleHeredoc();
    if (!this.opt.skipProcessQuotes) {
      if (c === SQUOTE) return () => this.singleQuote();
      if (c === DQUOTE) return () => this.doubleQuote();
    }
    return undefined;
  }

  private singleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.opt.rawQuotes) result += chr(open);
    for (;;) {
      const c = this.next();
      if (c === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (c === SQUOTE) {
        if (this.opt.rawQuotes) result += chr(c);
        return result;
      }
      result += chr(c);
    }
  }

  private doubleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.opt.rawQuotes) result += chr(open);
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (p === DQUOTE) {
        this.next();
        if (this.opt.rawQuotes) result += '"';
        return result;
      }
      if (p === DOLLAR) {
        result += this.dollar();
        continue;
      }
      let c = this.next();
      if (c === this.escape) {
        if (this.rawEscapes) result += chr(c);
        const q = this.peek();
        if (q === EOF) continue;
        if (q === DQUOTE || q === DOLLAR || q === this.escape) c = this.next();
      }
      result += chr(c);
    }
  }

  private possibleHeredoc(): string {
    this.next();
    if (this.peek() !== LT) return '<';
    this.next();
    let space = '';
    for (let c = this.peek(); c === 0x09 || c === 0x0d || c === 0x20; c = this.peek()) {
      space += chr(c);
      this.next();
    }
    return '<<' + space;
  }

  private name(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const c = this.peek();
      if (name.length === 0 && isGoDigit(c)) {
        while (this.peek() !== EOF && isGoDigit(this.peek())) name += chr(this.next());
        return name;
      }
      if (name.length === 0 && SPECIAL_PARAMS.has(c)) return chr(this.next());
      if (!isGoLetter(c) && !isGoDigit(c) && c !== 0x5f) break;
      name += chr(this.next());
    }
    return name;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env.get(name);
    (v === undefined ? this.unmatched : this.matched).add(name);
    return v;
  }

  private dollar(): string {
    this.next();
    if (this.peek() !== LBRACE) {
      const name = this.name();
      if (name === '') return '$';
      const v = this.getEnv(name);
      if (v === undefined && this.opt.skipUnsetEnv) return '$' + name;
      return v ?? '';
    }
    this.next();
    const p = this.peek();
    if (p === EOF) throw new LexError("syntax error: missing '}'");
    if (p === LBRACE || p === RBRACE || p === COLON) throw new LexError('syntax error: bad substitution');
    const name = this.name();
    let c = this.next();
    let chs = chr(c);
    if (c === RBRACE) {
      const v = this.getEnv(name);
      if (v === undefined && this.opt.skipUnsetEnv) return `\${${name}}`;
      return v ?? '';
    }
    if (c === SLASH) return this.replace(name);
    let nullIsUnset = false;
    if (c === COLON) {
      nullIsUnset = true;
      c = this.next();
      chs += chr(c);
    } else if (!'+-?#%'.includes(chr(c))) {
      throw new LexError(`unsupported modifier (${chs}) in substitution`);
    }
    const op = chr(c);
    const raw = op === '#' || op === '%';
    if (nullIsUnset && raw) throw new LexError(`unsupported modifier (${chs}) in substitution`);
    let word = this.stopOnOrMissing(RBRACE, raw, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.opt.skipUnsetEnv && value === undefined) return `\${${name}${chs}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (op) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (unset) throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        const greedy = word.startsWith(op);
        if (greedy) word = word.slice(1);
        return this.pattern(word, () => (op === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy)));
      }
      default:
        throw new LexError(`unsupported modifier (${chs}) in substitution`);
    }
  }

  private stopOnOrMissing(stop: number, raw: boolean, missing: string): string {
    try {
      return this.stopOn(stop, raw).result;
    } catch (err) {
      if (this.peek() === EOF) throw new LexError(missing);
      throw err;
    }
  }

  private pattern<T>(pattern: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PatternError) throw new LexError(`invalid pattern (${pattern}) in substitution: ${err.message}`);
      throw err;
    }
  }

  private replace(name: string): string {
    const all = this.peek() === SLASH;
    if (all) this.next();
    const pattern = this.stopOnOrMissing(SLASH, true, "syntax error: missing '/' in ${}");
    const replacement = this.stopOnOrMissing(RBRACE, true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.opt.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
    const re = this.pattern(pattern, () => shellPatternToRegex(pattern, true, false));
    return all ? goReplaceAll(re, value ?? '', replacement) : replaceFirst(re, value ?? '', replacement);
  }
}

/**
 * Run the lexer over `word`. Throws LexError (uncoded) on bad syntax; callers
 * outside this folder use `expandWord` / `expandWords`, which code the error.
 */
export function lex(word: string, env: EnvGetter, opt: LexOptions = {}): LexResult {
  const scan = new Scan(word, env, opt);
  const { result, words } = scan.run();
  return { result, words, matched: [...scan.matched].sort(), unmatched: [...scan.unmatched].sort() };
}
