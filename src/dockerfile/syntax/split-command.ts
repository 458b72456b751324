import { splitFirstWhitespace, trimSpace } from '../text';
import { scanWords } from './words';

/**
 * Split a logical line into instruction word, `--flags` and the rest, as
 * BuildKit's splitCommand does. Flags are words starting with `--`, quotes are
 * removed from them, and a bare `--` ends them.
 */
export function splitCommand(line: string, escapeToken: string): { cmd: string; flags: string[]; args: string } {
  const parts = splitFirstWhitespace(trimSpace(line));
  if (parts.length < 2) return { cmd: parts[0]!, flags: [], args: '' };
  const chars = Array.from(parts[1]!);
  const flags: string[] = [];
  let stop = -1;
  scanWords(chars, escapeToken, {
    keep: false,
    atWordStart: (pos) => {
      const isFlag = chars[pos] === '-' && chars[pos + 1] === '-';
      if (!isFlag) stop = pos;
      return isFlag;
    },
    onWord: (word, pos) => {
      if (word === '--') {
        stop = pos;
        return false;
      }
      flags.push(word);
      return true;
    },
  });
  const rest = stop < 0 ? '' : chars.slice(stop).join('');
  return { cmd: parts[0]!, flags, args: trimSpace(rest) };
}
