import type { SourceRange } from '../errors';

/** A heredoc attached to an instruction (`<<EOF`, `<<-EOF`, `3<<"EOF"`). */
export interface Heredoc {
  /** the delimiter word, quotes removed */
  name: string;
  /** file descriptor before `<<` (0 when absent) */
  fileDescriptor: number;
  /** false when the delimiter was quoted: the body is not expanded */
  expand: boolean;
  /** `<<-`: leading tabs are removed from the body */
  chomp: boolean;
  /** the body, each line with its newline, without the terminator */
  content: string;
}

/**
 * BuildKit's parse-tree node. A top-level instruction is a node whose `value`
 * is the instruction as written and whose `next` chain holds the arguments;
 * ONBUILD's argument is a node with one child (the wrapped instruction).
 */
export interface Node {
  value: string;
  next: Node | null;
  children: Node[];
  heredocs: Heredoc[];
  /** `json: true` for exec (JSON array) form */
  attributes: { json?: boolean };
  /** the instruction's logical line: continuations joined, comments removed */
  original: string;
  /** `--flags` in order, as written (quotes removed) */
  flags: string[];
  /** 1-based, inclusive; the root spans its first to last instruction */
  startLine: number;
  endLine: number;
  /** comment lines directly above the instruction (text after `#`) */
  prevComment: string[];
  /** columns too: start of the instruction word to end of its last line */
  range?: SourceRange;
}

export function newNode(value = '', next: Node | null = null): Node {
  return { value, next, children: [], heredocs: [], attributes: {}, original: '', flags: [], startLine: 0, endLine: 0, prevComment: [] };
}

/** The argument values of an instruction node, ONBUILD's inner one flattened (instructions.nodeArgs). */
export function nodeArgs(node: Node): string[] {
  const out: string[] = [];
  for (let n = node.next; n; n = n.next) {
    if (n.children.length === 0) out.push(n.value);
    else if (n.children.length === 1) {
      const inner = n.children[0]!;
      out.push(inner.value, ...nodeArgs(inner));
    }
  }
  return out;
}

/** The values of a `next` chain. */
export function chainValues(node: Node | null): string[] {
  const out: string[] = [];
  for (let n = node; n; n = n.next) out.push(n.value);
  return out;
}
