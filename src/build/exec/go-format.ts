/**
 * Go's fmt verbs as BuildKit's history strings use them (`CMD %q`, `VOLUME %v`,
 * `HEALTHCHECK %+v`, `EXPOSE %v` of a map), so hoist writes the same bytes.
 */

/** strconv.Quote: JSON's escapes, but Go spells control bytes `\x1b` and keeps printable Unicode. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, (_m, h: string) => {
    const c = parseInt(h, 16);
    return GO_ESCAPES[c] ?? (c === 0x7f || c < 0x20 ? `\\x${h}` : String.fromCharCode(c));
  });
}

const GO_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

/** `%q` of an int (strconv.QuoteRune): `'\x00'`, `'\a'`, `'A'`. */
export function goQuoteRune(n: number): string {
  if (GO_ESCAPES[n] !== undefined) return `'${GO_ESCAPES[n]}'`;
  if (n < 0x20 || n === 0x7f) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  if (n === 0x27) return "'\\''";
  if (n === 0x5c) return "'\\\\'";
  return `'${String.fromCodePoint(n)}'`;
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** `%v` of a map[string]struct{}: keys sorted, `map[a:{} b:{}]`. */
export function goSet(keys: readonly string[]): string {
  return `map[${[...keys].sort().map((k) => `${k}:{}`).join(' ')}]`;
}

function trimFraction(n: number, digits: number): string {
  return n.toFixed(digits).replace(/\.?0+$/, '');
}

/** time.Duration.String(): `0s`, `500ms`, `1.5s`, `1m30s`, `2h0m0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e3) out = `${n}ns`;
  else if (n < 1e6) out = `${trimFraction(n / 1e3, 3)}µs`;
  else if (n < 1e9) out = `${trimFraction(n / 1e6, 6)}ms`;
  else {
    const h = Math.floor(n / 3.6e12);
    n -= h * 3.6e12;
    const m = Math.floor(n / 6e10);
    n -= m * 6e10;
    const s = `${trimFraction(n / 1e9, 9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}
