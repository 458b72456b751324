import { parseStages, type ArgInstruction, type Stage } from './instructions';
import { DirectiveParser, type Directive } from './syntax/directives';
import { parseSyntax, type ParseWarning } from './syntax/parser';
import type { Node } from './syntax/ast';
import { splitLines, trimNewline } from './syntax/lines';

export interface ParsedDockerfile {
  file: string;
  /** BuildKit's node tree (what `dumpNode` prints) */
  ast: Node;
  stages: Stage[];
  /** ARGs before the first FROM */
  globalArgs: ArgInstruction[];
  /** parser directives by name (`syntax`, `escape`, `check`) */
  directives: { syntax?: Directive; escape?: Directive; check?: Directive };
  escapeToken: string;
  warnings: ParseWarning[];
  /** source lines without line endings */
  lines: string[];
}

/**
 * Find a directive as BuildKit's ParseDirective does for `syntax` and `check`:
 * a UTF-8 BOM and a `#!` first line are skipped.
 */
export function findDirective(text: string, name: Directive['name']): Directive | undefined {
  let lines = splitLines(text.startsWith('\ufeff') ? text.slice(1) : text).lines.map(trimNewline);
  let offset = 0;
  if (lines[0]?.startsWith('#!')) {
    lines = lines.slice(1);
    offset = 1;
  }
  const p = new DirectiveParser();
  for (const line of lines) {
    let d: Directive | undefined;
    try {
      d = p.parseLine(line);
    } catch {
      return undefined;
    }
    if (d?.name === name) return { ...d, line: d.line + offset };
    if (!d) return undefined;
  }
  return undefined;
}

/**
 * Parse a Dockerfile into BuildKit's AST and typed stages. Throws a
 * DockerfileError (code, file, line, column) for anything BuildKit refuses at
 * parse time.
 */
export function parseDockerfile(input: string | Uint8Array, opts: { file?: string } = {}): ParsedDockerfile {
  const file = opts.file ?? 'Dockerfile';
  const syntax = parseSyntax(input, { file });
  const { stages, globalArgs } = parseStages(syntax.ast, { file, lines: syntax.lines });
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  const directives: ParsedDockerfile['directives'] = {};
  for (const d of syntax.directives) directives[d.name] = d;
  for (const name of ['syntax', 'check'] as const) {
    const d = directives[name] ?? findDirective(text, name);
    if (d) directives[name] = d;
  }
  return { file, ast: syntax.ast, stages, globalArgs, directives, escapeToken: syntax.escapeToken, warnings: syntax.warnings, lines: syntax.lines };
}
