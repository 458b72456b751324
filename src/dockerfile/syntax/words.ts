import { isGoSpace } from '../text';

const IN_SPACES = 0;
const IN_WORD = 1;
const IN_QUOTE = 2;

export interface WordScan {
  /** keep quote and escape characters in the words (parseWords) or drop them (flags) */
  keep: boolean;
  /** called where a word starts; return false to stop scanning there */
  atWordStart?: (pos: number) => boolean;
  /** called with each finished word; return false to stop scanning after it */
  onWord: (word: string, pos: number) => boolean;
}

/**
 * The word state machine BuildKit uses twice: white space separates words,
 * quotes group, the escape token escapes (not inside single quotes when quotes
 * are kept), `""` makes an empty word. Returns the index where it stopped.
 */
export function scanWords(chars: readonly string[], escapeToken: string, scan: WordScan): number {
  let phase = IN_SPACES;
  let quote = '';
  let blankOK = false;
  let word = '';
  const { keep } = scan;
  for (let pos = 0; pos <= chars.length; pos++) {
    const end = pos === chars.length;
    let ch = end ? '' : chars[pos]!;
    if (phase === IN_SPACES) {
      if (end) break;
      if (isGoSpace(ch.codePointAt(0)!)) continue;
      if (scan.atWordStart && !scan.atWordStart(pos)) return pos;
      phase = IN_WORD;
    }
    if (end) {
      if (blankOK || word.length > 0) scan.onWord(word, pos);
      break;
    }
    if (phase === IN_WORD) {
      if (isGoSpace(ch.codePointAt(0)!)) {
        phase = IN_SPACES;
        if ((blankOK || word.length > 0) && !scan.onWord(word, pos)) return pos;
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = IN_QUOTE;
        if (!keep) continue;
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue;
        if (keep) word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    // IN_QUOTE
    if (ch === quote) {
      phase = IN_WORD;
      if (!keep) continue;
    }
    if (ch === escapeToken && (!keep || quote !== "'")) {
      if (pos + 1 === chars.length) {
        phase = IN_WORD;
        continue;
      }
      if (keep) word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  return chars.length;
}

/** ENV/LABEL/ARG words, quotes and escapes kept (BuildKit's parseWords). */
export function parseWords(rest: string, escapeToken: string): string[] {
  const words: string[] = [];
  scanWords(Array.from(rest), escapeToken, { keep: true, onWord: (w) => (words.push(w), true) });
  return words;
}
