import { FrontendFailure } from '../errors';
import { EMPTY_ENV } from '../shell/env';
import { lex, LexError } from '../shell/lexer';
import type { Heredoc } from './ast';

const HEREDOC_RE = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

/** Instructions whose arguments may hold heredocs. */
export const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);

function lexWords(text: string, rawQuotes: boolean, rawEscapes: boolean): string[] {
  return lex(text, EMPTY_ENV, { rawQuotes, rawEscapes, skipUnsetEnv: true }).words;
}

/**
 * The heredoc a word opens (`<<EOF`, `<<-"EOF"`, `3<<EOF`), or undefined. A
 * quoted delimiter (any part of it) turns expansion of the body off.
 */
export function parseHeredoc(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = HEREDOC_RE.exec(word);
  if (!m) return undefined;
  const rest = m[3]!;
  if (rest.length === 0) return undefined;
  let words: string[];
  let raw: string[];
  try {
    words = lexWords(rest, false, false);
    if (words.length !== 1) return undefined;
    raw = lexWords(rest, true, false);
  } catch (err) {
    if (err instanceof LexError) throw new FrontendFailure('DOCKERFILE_HEREDOC', `failed to process ${JSON.stringify(rest)}: ${err.message}`);
    throw err;
  }
  if (raw.length !== words.length) throw new FrontendFailure('DOCKERFILE_HEREDOC', `internal lexing of heredoc produced inconsistent results: ${rest}`);
  const quotes = (s: string): number => (s.match(/['"]/g) ?? []).length;
  const fd = m[1] === '' ? 0 : Number.parseInt(m[1]!, 10);
  return { name: words[0]!, fileDescriptor: Number.isSafeInteger(fd) ? fd : 0, expand: quotes(words[0]!) === quotes(raw[0]!), chomp: m[2] === '-' };
}

/** Every heredoc a logical line opens, in order. */
export function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = lexWords(line, true, true);
  } catch (err) {
    if (!(err instanceof LexError)) throw err;
    words = [];
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (const w of words) {
    const h = parseHeredoc(w);
    if (h) docs.push(h);
  }
  return docs;
}

/** `<<-` bodies lose the leading tabs of every line. */
export function chompHeredocContent(src: string): string {
  return src.replace(/(^|\n)\t+/g, '$1');
}
