/**
 * Go's filepath.Match for COPY/ADD sources: `*` and `?` never match `/`,
 * `[...]` classes (`^` negates, `a-z` ranges), `\` escapes. A malformed
 * pattern matches nothing (BuildKit ignores Match's ErrBadPattern there).
 */
export function goMatch(pattern: string, name: string): boolean {
  const re = compile(pattern);
  return re !== undefined && re.test(name);
}

const cache = new Map<string, RegExp | undefined>();

function compile(pattern: string): RegExp | undefined {
  if (cache.has(pattern)) return cache.get(pattern);
  let re: RegExp | undefined;
  try {
    re = new RegExp('^' + translate(Array.from(pattern)) + '$', 'u');
  } catch {
    re = undefined;
  }
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, re);
  return re;
}

const quote = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function translate(chars: string[]): string {
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      if (++i >= chars.length) throw new Error('bad pattern');
      out += quote(chars[i]!);
    } else if (c === '[') {
      let cls = '';
      i++;
      if (chars[i] === '^') {
        cls += '^';
        i++;
      }
      let n = 0;
      for (;;) {
        if (i >= chars.length) throw new Error('bad pattern');
        if (chars[i] === ']' && n > 0) break;
        const lo = classChar(chars, i);
        i = lo.next;
        if (chars[i] === '-' && chars[i + 1] !== ']') {
          const hi = classChar(chars, i + 1);
          i = hi.next;
          cls += `${quote(lo.ch)}-${quote(hi.ch)}`;
        } else cls += quote(lo.ch);
        n++;
      }
      out += `[${cls}]`;
    } else out += quote(c);
  }
  return out;
}

function classChar(chars: string[], i: number): { ch: string; next: number } {
  const c = chars[i];
  if (c === undefined || c === '-' || c === ']') throw new Error('bad pattern');
  if (c === '\\') {
    if (i + 1 >= chars.length) throw new Error('bad pattern');
    return { ch: chars[i + 1]!, next: i + 2 };
  }
  return { ch: c, next: i + 1 };
}

/** Does a path component hold `*`, `?` or `[` (outside a `\` escape)? */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/**
 * Split a cleaned absolute path at its first component with a wildcard:
 * `/a/b*\/c` -> [`/a`, `b*\/c`]; no wildcard -> [path, ''].
 */
export function splitWildcards(p: string): [string, string] {
  const parts = p.split('/').filter((x) => x !== '');
  const i = parts.findIndex(containsWildcards);
  if (i < 0) return ['/' + parts.join('/'), ''];
  return ['/' + parts.slice(0, i).join('/'), parts.slice(i).join('/')];
}
