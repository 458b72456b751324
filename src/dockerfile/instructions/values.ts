import { FrontendFailure } from '../errors';

/**
 * Value parsers for flag options, matching the Go functions BuildKit uses:
 * time.ParseDuration, strconv.ParseBool, go-units RAMInBytes, encoding/csv.
 */

const invalid = (msg: string): FrontendFailure => new FrontendFailure('DOCKERFILE_FLAG_INVALID', msg);

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** time.ParseDuration, in nanoseconds. */
export function parseDuration(s: string): number {
  const bad = (): FrontendFailure => invalid(`time: invalid duration ${JSON.stringify(s)}`);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw bad();
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*)(\.[0-9]*)?([^0-9.]+)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] === undefined || m[2] === '.'))) throw bad();
    const unitMatch = /^(ns|us|µs|μs|ms|s|m|h)/.exec(m[3]!);
    if (!unitMatch) throw invalid(`time: ${m[3]!.length > 0 ? `unknown unit ${JSON.stringify(m[3])}` : 'missing unit'} in duration ${JSON.stringify(s)}`);
    const unit = unitMatch[1]!;
    total += Number(`${m[1] || '0'}${m[2] ?? ''}`) * UNITS[unit]!;
    rest = rest.slice(m[1]!.length + (m[2]?.length ?? 0) + unit.length);
  }
  return sign * Math.round(total);
}

/** strconv.ParseBool */
export function parseGoBool(s: string, what: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw invalid(`invalid value for ${what}: ${s}`);
}

/** go-units RAMInBytes: `64m`, `1.5g`, `512k`, `1GiB` (binary multiples). */
export function parseRAMInBytes(s: string, what: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(s);
  if (!m) throw invalid(`invalid value for ${what}: ${s}`);
  const exp = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number.parseFloat(m[1]!) * 1024 ** exp);
}

/** strconv.ParseUint(s, base, 32) */
export function parseUint32(s: string, base: 8 | 10): number | undefined {
  const re = base === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!re.test(s)) return undefined;
  const n = Number.parseInt(s, base);
  return n <= 0xffffffff ? n : undefined;
}

/** One CSV record (encoding/csv): `a,"b,c",d` -> [a, b,c, d]. */
export function csvFields(s: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (s[i] === '"') {
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) throw invalid(`failed to parse csv: extraneous or missing " in quoted-field: ${s}`);
        field += s.slice(i, q);
        i = q + 1;
        if (s[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        break;
      }
      if (i < s.length && s[i] !== ',') throw invalid(`failed to parse csv: extraneous or missing " in quoted-field: ${s}`);
    } else {
      const c = s.indexOf(',', i);
      field = c < 0 ? s.slice(i) : s.slice(i, c);
      if (field.includes('"')) throw invalid(`failed to parse csv: bare " in non-quoted-field: ${s}`);
      i = c < 0 ? s.length : c;
    }
    fields.push(field);
    if (i >= s.length) return fields;
    i++; // skip ','
  }
}
