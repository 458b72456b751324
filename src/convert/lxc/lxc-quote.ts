import { ConvertError } from '../../errors';

/*
 * How LXC (5.x) reads a config line and a command, modelled exactly, and the
 * encoders that write what those readers give back unchanged.
 *
 * A config line `key = value` (confile.c parse_line): the value loses leading
 * spaces/tabs and trailing spaces/tabs/newlines; then, if it is longer than
 * one byte and starts and ends with the same quote (' or "), that pair is
 * removed. Nothing else: no escapes.
 *
 * A command (`lxc.execute.cmd`, `lxc.init.cmd`) is then split by
 * lxc_string_split_quoted: outside a word, isspace() separates; a word that
 * starts with ' or " runs to the next same quote (its content, spaces and the
 * other quote included, is the argument; the quotes are dropped); any other
 * word runs to the next space and keeps every quote it contains. A quoted
 * word ends at its closing quote even without a space after it, and an
 * unterminated quoted word is dropped. There is no escape character.
 */

/** C isspace() in the C locale. */
const C_SPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);
const QUOTES = new Set(["'", '"']);

function unencodable(what: string, value: string, why: string): ConvertError {
  return new ConvertError('CONVERT_LXC_UNENCODABLE', `${what} ${JSON.stringify(value)} cannot be written to an LXC config: ${why}`, { value, what });
}

/** The value LXC's config parser reads from the text after `=` (model of parse_line). */
export function parseLxcValue(raw: string): string {
  let start = 0;
  while (start < raw.length && (raw[start] === ' ' || raw[start] === '\t')) start++;
  let end = raw.length;
  while (end > start && (raw[end - 1] === ' ' || raw[end - 1] === '\t' || raw[end - 1] === '\n')) end--;
  let v = raw.slice(start, end);
  if (v.length > 1 && QUOTES.has(v[0]!) && v[v.length - 1] === v[0]) v = v.slice(1, -1);
  return v;
}

/**
 * The text to write after `key = ` so that `parseLxcValue` gives back
 * `value` exactly: as it is when that already holds, else wrapped in one pair
 * of double quotes (which the parser strips, whatever is inside). Newlines
 * and NUL cannot be written (a config line ends at a newline).
 */
export function encodeLxcValue(value: string, what = 'value'): string {
  if (value.includes('\n') || value.includes('\0')) throw unencodable(what, value, 'it contains a newline or NUL byte');
  return parseLxcValue(value) === value ? value : `"${value}"`;
}

/** The argv LXC's lxc_string_split_quoted gives for a command string (a model of it). */
export function splitLxcCommand(s: string): string[] {
  const out: string[] = [];
  let state: 'space' | 'word' | "'" | '"' = 'space';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (state === 'space') {
      if (C_SPACE.has(c)) continue;
      start = i;
      state = c === "'" || c === '"' ? c : 'word';
    } else if (state === 'word') {
      if (C_SPACE.has(c)) {
        out.push(s.slice(start, i));
        state = 'space';
      }
    } else if (c === state) {
      out.push(s.slice(start + 1, i));
      state = 'space';
    }
  }
  if (state === 'word') out.push(s.slice(start));
  return out;
}

/** One argument in a form the splitter gives back whole. */
function encodeArgument(arg: string): string {
  if (arg.includes('\n') || arg.includes('\0')) throw unencodable('command argument', arg, 'it contains a newline or NUL byte');
  const hasSpace = [...arg].some((c) => C_SPACE.has(c));
  if (arg !== '' && !hasSpace && !QUOTES.has(arg[0]!)) return arg;
  if (!arg.includes('"')) return `"${arg}"`;
  if (!arg.includes("'")) return `'${arg}'`;
  throw unencodable(
    'command argument',
    arg,
    "LXC's command splitter has no escape character, so an argument that holds both a single and a double quote cannot also hold whitespace or start with a quote",
  );
}

/** LXC reads `lxc.execute.cmd` into a PATH_MAX (4096) buffer; longer values are cut short. */
export const LXC_COMMAND_MAX = 4095;

/**
 * Encode an argv for `lxc.execute.cmd` / `lxc.init.cmd`: returns the text to
 * write after `key = `, such that parse_line then lxc_string_split_quoted
 * give back `argv` exactly; CONVERT_LXC_UNENCODABLE for what no text can
 * express (see encodeArgument), or a command longer than LXC reads.
 */
export function encodeLxcCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw unencodable('command', '', 'it is empty');
  const joined = argv.map(encodeArgument).join(' ');
  // The value parser strips one pair of matching outer quotes: protect a
  // command that starts and ends with the same quote by adding a pair.
  const text = joined.length > 1 && QUOTES.has(joined[0]!) && joined[joined.length - 1] === joined[0] ? `"${joined}"` : joined;
  if (Buffer.byteLength(parseLxcValue(text)) > LXC_COMMAND_MAX) {
    throw unencodable('command', argv.join(' ').slice(0, 80), `it is longer than the ${LXC_COMMAND_MAX} bytes LXC reads`);
  }
  return text;
}
