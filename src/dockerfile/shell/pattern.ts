/**
 * Shell patterns of `${x#p}`, `${x%p}` and `${x/p/r}` as BuildKit reads them:
 * only `*` and `?` are wildcards (no bracket expressions), `\` escapes `*`, `?`
 * and `\`, and `\}` / `\/` stand for the plain characters. Matching follows Go's
 * regexp (leftmost-first, `.` never matches a newline).
 */

export class PatternError extends Error {}

const REGEX_SPECIALS = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/** Build the regular expression of a shell pattern (global + unicode flags). */
export function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? '[^\\n]*' : '[^\\n]*?';
  for (let i = 0; i < chars.length; i++) {
    const tok = chars[i]!;
    if (tok === '*') {
      out += star;
    } else if (tok === '?') {
      out += '[^\\n]';
    } else if (tok === '\\') {
      const peek = chars[i + 1];
      if (peek === '}' || peek === '/') continue;
      i++;
      const esc = chars[i] ?? '\ufffd';
      if (esc !== '*' && esc !== '?' && esc !== '\\') throw new PatternError(`invalid escape '\\${esc}'`);
      out += '\\' + esc;
    } else if (REGEX_SPECIALS.has(tok)) {
      out += '\\' + tok;
    } else {
      out += tok;
    }
  }
  return new RegExp(out, 'gu');
}

/** `${x#p}` / `${x##p}`: remove the shortest (or longest) matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = shellPatternToRegex(pattern, greedy, true);
  const m = re.exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/** Reverse a pattern by characters, keeping `\x` escapes in order. */
function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out: string[] = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = runes[i]!;
    const o = last - i;
    if (tok === '\\' && i !== last) {
      out[o - 1] = tok;
      out[o] = runes[i + 1]!;
      i += 2;
    } else {
      out[o] = tok;
      i++;
    }
  }
  return out.join('');
}

function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

/** `${x%p}` / `${x%%p}`: remove the shortest (or longest) matching suffix. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** Go's Regexp.Expand for a regexp without groups: `$0` is the match, `$$` a dollar, other names empty. */
function expandTemplate(template: string, match: string): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (!m) {
      out += '$';
      continue;
    }
    if (m[1] === '0') out += match;
    i += m[0].length;
  }
  return out;
}

/** Go's Regexp.ReplaceAllString (empty matches right after a match are skipped). */
export function goReplaceAll(re: RegExp, src: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    re.lastIndex = searchPos;
    const m = re.exec(src);
    if (!m) break;
    const a0 = m.index;
    const a1 = a0 + m[0].length;
    out += src.slice(lastMatchEnd, a0);
    if (a1 > lastMatchEnd || a0 === 0) out += expandTemplate(template, m[0]);
    lastMatchEnd = a1;
    const cp = src.codePointAt(searchPos);
    const width = cp === undefined ? 1 : cp > 0xffff ? 2 : 1;
    if (searchPos + width > a1) searchPos += width;
    else if (searchPos + 1 > a1) searchPos++;
    else searchPos = a1;
  }
  return out + src.slice(lastMatchEnd);
}

/** `${x/p/r}`: replace the first (longest) match. */
export function replaceFirst(re: RegExp, src: string, replacement: string): string {
  re.lastIndex = 0;
  const m = re.exec(src);
  if (!m) return src;
  return src.slice(0, m.index) + replacement + src.slice(m.index + m[0].length);
}
