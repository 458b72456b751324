import { DockerfileError } from '../../errors';
import { goQuote } from '../text';
import type { EnvGetter } from './env';
import { lex, LexError, type LexOptions } from './lexer';

export interface ExpandOptions {
  /** `\` (default) or the backtick of `# escape=`` */
  escapeToken?: string;
  /** keep quotes as plain characters (heredoc bodies) */
  skipProcessQuotes?: boolean;
}

export interface ExpandResult {
  result: string;
  /** variable names that were looked up and set */
  matched: string[];
  /** variable names that were looked up and not set */
  unmatched: string[];
}

export interface ExpandWordsResult {
  words: string[];
  matched: string[];
  unmatched: string[];
}

function run(word: string, env: EnvGetter, opt: LexOptions): ReturnType<typeof lex> {
  try {
    return lex(word, env, opt);
  } catch (err) {
    if (err instanceof LexError) {
      throw new DockerfileError('DOCKERFILE_EXPANSION', `failed to process ${goQuote(word)}: ${err.message}`, { word, reason: err.message });
    }
    throw err;
  }
}

/**
 * BuildKit's ProcessWord: expand variables in one word and remove its quotes
 * and escapes, keeping spaces. Throws DOCKERFILE_EXPANSION on bad syntax or a
 * failed `${x?msg}`.
 */
export function expandWord(word: string, env: EnvGetter, opts: ExpandOptions = {}): ExpandResult {
  const r = run(word, env, { escapeToken: opts.escapeToken ?? '\\', skipProcessQuotes: opts.skipProcessQuotes ?? false });
  return { result: r.result, matched: r.matched, unmatched: r.unmatched };
}

/**
 * BuildKit's ProcessWords: expand, then split into words at unquoted white
 * space (white space from expanded values splits too; quoted text does not).
 */
export function expandWords(word: string, env: EnvGetter, opts: ExpandOptions = {}): ExpandWordsResult {
  const r = run(word, env, { escapeToken: opts.escapeToken ?? '\\', skipProcessQuotes: opts.skipProcessQuotes ?? false });
  return { words: r.words, matched: r.matched, unmatched: r.unmatched };
}
