import { dockerfileError, firstNonSpaceColumn, withSource } from '../errors';
import { splitLines, trimNewline } from './lines';
import { newNode, type Heredoc, type Node } from './ast';
import { DirectiveParser, EscapeState, type Directive } from './directives';
import { HEREDOC_INSTRUCTIONS, heredocsFromLine } from './heredoc';
import { ignoreParser, LINE_PARSERS } from './line-parsers';
import { splitCommand } from './split-command';
import { trimLeftSpace, trimSpace } from '../text';

/** A warning the parser itself raises (empty continuation lines). */
export interface ParseWarning {
  rule: 'NoEmptyContinuation';
  message: string;
  /** the line where the instruction with the empty continuation line ends */
  line: number;
}

export interface SyntaxResult {
  /** root node: its children are the instructions */
  ast: Node;
  escapeToken: string;
  directives: Directive[];
  warnings: ParseWarning[];
  /** the source lines without their line endings (for error messages) */
  lines: string[];
}

const isComment = (line: string): boolean => trimLeftSpace(line).startsWith('#');
const isEmptyContinuationLine = (line: string): boolean => trimLeftSpace(trimNewline(line)).length === 0;

/** Build the node of one logical line (also the inner line of ONBUILD). */
function nodeFromLine(line: string, esc: EscapeState, comments: string[]): Node {
  const { cmd, flags, args } = splitCommand(line, esc.token);
  const key = cmd.toLowerCase();
  const parse = (Object.hasOwn(LINE_PARSERS, key) ? LINE_PARSERS[key] : undefined) ?? ignoreParser;
  const parsed = parse(args, esc.token, (sub) => nodeFromLine(sub, esc, []));
  const node = newNode(cmd, parsed.next);
  node.original = line;
  node.flags = flags;
  node.prevComment = comments;
  if (parsed.json) node.attributes.json = true;
  return node;
}

function canContainHeredoc(node: Node): boolean {
  let n = node;
  if (n.value.toLowerCase() === 'onbuild' && n.next && n.next.children.length > 0) n = n.next.children[0]!;
  return HEREDOC_INSTRUCTIONS.has(n.value.toLowerCase()) && !n.attributes.json;
}

/**
 * Parse Dockerfile text into BuildKit's node tree: directives at the top, line
 * continuations (with the escape token in force), comment and empty lines inside
 * continuations, heredocs. Throws DockerfileError with file, line and column.
 */
export function parseSyntax(input: string | Uint8Array, opts: { file?: string } = {}): SyntaxResult {
  const file = opts.file ?? 'Dockerfile';
  const { lines: raw, tooLong } = splitLines(input);
  const lines = raw.map(trimNewline);
  const src = { file, lines };
  const directiveParser = new DirectiveParser();
  const esc = new EscapeState();
  const directives: Directive[] = [];
  const warnings: ParseWarning[] = [];
  const root = newNode();
  root.startLine = -1;
  let comments: string[] = [];
  let current = 0;
  let i = 0;

  // BuildKit's processLine: strip the newline (and leading space), look for a directive, drop comments.
  const processLine = (text: string, stripLeft: boolean): { line: string; directive: boolean } => {
    let t = trimNewline(text);
    if (stripLeft) t = trimLeftSpace(t);
    let directive = false;
    try {
      const d = directiveParser.parseLine(t);
      if (d) {
        if (d.name === 'escape') esc.set(d.value);
        directives.push(d);
        directive = true;
      }
    } catch (err) {
      throw withSource(err, src, { line: current + 1 });
    }
    return { line: isComment(t) ? '' : t, directive };
  };
  const checkLength = (): void => {
    if (tooLong !== undefined && i > tooLong) {
      throw dockerfileError('DOCKERFILE_LINE_TOO_LONG', 'dockerfile line greater than max allowed size of 65535', src, { line: tooLong + 1, column: 1 }, 'split the line with a continuation (\\ at the end of a line)');
    }
  };

  while (i < raw.length) {
    let text = raw[i++]!;
    checkLength();
    if (current === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (isComment(text)) {
      const c = trimSpace(text.slice(1));
      if (c === '') comments = [];
      else comments.push(c);
    }
    const first = processLine(text, true);
    if (first.directive) comments.pop();
    current++;
    const startLine = current;
    let [line, isEnd] = esc.trimContinuation(first.line);
    if (isEnd && line.length === 0) continue;
    let buf = line;
    let emptyContinuation = false;
    while (!isEnd && i < raw.length) {
      const next = raw[i++]!;
      checkLength();
      const p = processLine(next, false);
      current++;
      if (isComment(next)) continue;
      if (isEmptyContinuationLine(p.line)) {
        emptyContinuation = true;
        continue;
      }
      [line, isEnd] = esc.trimContinuation(p.line);
      buf += line;
    }
    if (emptyContinuation) warnings.push({ rule: 'NoEmptyContinuation', message: `Empty continuation line found in: ${buf}`, line: current });
    let child: Node;
    try {
      child = nodeFromLine(buf, esc, comments);
    } catch (err) {
      throw withSource(err, src, { line: startLine, endLine: current });
    }
    if (canContainHeredoc(child) && buf.includes('<<')) {
      let docs: Omit<Heredoc, 'content'>[];
      try {
        docs = heredocsFromLine(buf);
      } catch (err) {
        throw withSource(err, src, { line: startLine, endLine: current });
      }
      for (const doc of docs) {
        let terminated = false;
        let content = '';
        while (i < raw.length) {
          const body = raw[i++]!;
          checkLength();
          current++;
          let candidate = trimNewline(body);
          if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) {
          throw dockerfileError('DOCKERFILE_HEREDOC', 'unterminated heredoc', src, { line: startLine, endLine: current }, `end the heredoc with a line holding only ${doc.name}`);
        }
        child.heredocs.push({ ...doc, content });
      }
    }
    child.startLine = startLine;
    child.endLine = current;
    const startText = lines[startLine - 1] ?? '';
    child.range = {
      start: { line: startLine, column: firstNonSpaceColumn(startText) },
      end: { line: current, column: (lines[current - 1] ?? '').length + 1 },
    };
    if (root.startLine < 0) root.startLine = startLine;
    root.endLine = current;
    root.children.push(child);
    comments = [];
  }
  if (root.startLine < 0) {
    throw dockerfileError('DOCKERFILE_EMPTY', 'file with no instructions', src, { line: Math.max(current, 1), column: 1 }, 'a Dockerfile needs at least a FROM instruction');
  }
  return { ast: root, escapeToken: esc.token, directives, warnings, lines };
}

