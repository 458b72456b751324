import { goQuote, goQuoteList, trimSpace } from '../text';
import type { Node } from './ast';

/**
 * Print a node tree in BuildKit's Node.Dump() format, the format of its parser
 * golden files: one `(instruction ["--flags"] "arg" ...)` per line.
 */
export function dumpNode(node: Node): string {
  let s = node.value.toLowerCase();
  if (node.flags.length > 0) s += ' ' + goQuoteList(node.flags);
  for (const child of node.children) s += '(' + dumpNode(child) + ')\n';
  for (let n = node.next; n; n = n.next) s += ' ' + (n.children.length > 0 ? dumpNode(n) : goQuote(n.value));
  return trimSpace(s);
}
