import { FrontendFailure } from '../errors';
import { goQuote, RE_WHITESPACE, splitFirstWhitespace, trimLeftSpace } from '../text';
import { newNode, type Node } from './ast';
import { parseWords } from './words';

/** What a line parser returns: the argument chain and the node attributes. */
export interface Parsed {
  next: Node | null;
  json?: boolean;
}

export type LineParser = (rest: string, escapeToken: string, sub: (line: string) => Node) => Parsed;

const syntax = (msg: string, hint?: string): FrontendFailure => new FrontendFailure('DOCKERFILE_SYNTAX', msg, hint);

function chain(values: readonly string[]): Node | null {
  let head: Node | null = null;
  for (let i = values.length - 1; i >= 0; i--) head = newNode(values[i]!, head);
  return head;
}

function keyValue(key: string, value: string, sep: string): Node {
  return newNode(key, newNode(value, newNode(sep)));
}

/** ENV / LABEL: `k=v ...` (triples key, value, "=") or legacy `k v` (key, value, ""). */
function parseNameVal(rest: string, escapeToken: string, what: string): Parsed {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return { next: null };
  if (!words[0]!.includes('=')) {
    const parts = splitFirstWhitespace(rest);
    if (parts.length < 2) throw syntax(`${what} must have two arguments`, `write ${what} name=value`);
    return { next: keyValue(parts[0]!, parts[1]!, '') };
  }
  const nodes: Node[] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) throw syntax(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    nodes.push(keyValue(word.slice(0, eq), word.slice(eq + 1), '='));
  }
  for (let i = 0; i < nodes.length - 1; i++) nodes[i]!.next!.next!.next = nodes[i + 1]!;
  return { next: nodes[0]! };
}

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

/** The JSON array of exec form, or undefined when the text is not valid JSON. */
function parseJSON(rest: string): string[] | undefined {
  const t = trimLeftSpace(rest);
  if (!t.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  if (!value.every((v) => typeof v === 'string')) throw syntax(NOT_STRINGS, 'use an array of strings, e.g. ["executable", "arg"]');
  return value as string[];
}

const whitespaceList = (rest: string): Parsed => ({ next: rest === '' ? null : chain(rest.split(RE_WHITESPACE)) });

const maybeJSON: LineParser = (rest) => {
  if (rest === '') return { next: null };
  const arr = parseJSON(rest);
  if (arr) return { next: chain(arr), json: true };
  return { next: newNode(rest) };
};

const maybeJSONToList: LineParser = (rest) => {
  const arr = parseJSON(rest);
  if (arr) return { next: chain(arr), json: true };
  return whitespaceList(rest);
};

const healthConfig: LineParser = (rest, escapeToken, sub) => {
  const isSp = (c: string): boolean => /[\t\n\v\f\r \x85\xa0]/.test(c);
  let sep = 0;
  while (sep < rest.length && !isSp(rest[sep]!)) sep++;
  let next = sep;
  while (next < rest.length && isSp(rest[next]!)) next++;
  if (sep === 0) return { next: null };
  const cmd = maybeJSON(rest.slice(next), escapeToken, sub);
  return { next: newNode(rest.slice(0, sep), cmd.next), ...(cmd.json ? { json: true } : {}) };
};

const str: LineParser = (rest) => ({ next: rest === '' ? null : newNode(rest) });

const nameOrNameVal: LineParser = (rest, escapeToken) => ({ next: chain(parseWords(rest, escapeToken)) });

const subCommand: LineParser = (rest, _e, sub) => {
  if (rest === '') return { next: null };
  const n = newNode();
  n.children.push(sub(rest));
  return { next: n };
};

/** BuildKit's dispatch table: how each instruction's arguments are read. */
export const LINE_PARSERS: Record<string, LineParser> = {
  add: maybeJSONToList,
  arg: nameOrNameVal,
  cmd: maybeJSON,
  copy: maybeJSONToList,
  entrypoint: maybeJSON,
  env: (rest, e) => parseNameVal(rest, e, 'ENV'),
  expose: (rest) => whitespaceList(rest),
  from: (rest) => whitespaceList(rest),
  healthcheck: healthConfig,
  label: (rest, e) => parseNameVal(rest, e, 'LABEL'),
  maintainer: str,
  onbuild: subCommand,
  run: maybeJSON,
  shell: maybeJSON,
  stopsignal: str,
  user: str,
  volume: maybeJSONToList,
  workdir: str,
};

/** Unknown instructions parse with one empty argument; the next stage refuses them. */
export const ignoreParser: LineParser = () => ({ next: newNode() });
