import { FrontendFailure } from '../errors';
import type { Node } from '../syntax/ast';
import { nodeArgs } from '../syntax/ast';
import { trimSpace } from '../text';
import type { InstructionBase } from './types';

/** What every instruction parser receives (BuildKit's parseRequest). */
export interface ParseRequest {
  node: Node;
  command: string;
  args: string[];
  json: boolean;
}

export function requestFromNode(node: Node): ParseRequest {
  return { node, command: node.value, args: nodeArgs(node), json: Boolean(node.attributes.json) };
}

export function baseOf(req: ParseRequest, flagsUsed: string[] = []): InstructionBase {
  const n = req.node;
  return {
    name: req.command,
    original: trimSpace(n.original),
    range: n.range ?? { start: { line: n.startLine, column: 1 }, end: { line: n.endLine, column: 1 } },
    comments: n.prevComment,
    flagsUsed,
  };
}

const args = (msg: string, hint?: string): FrontendFailure => new FrontendFailure('DOCKERFILE_ARGUMENTS', msg, hint);
export const errAtLeastOneArgument = (cmd: string): FrontendFailure => args(`${cmd} requires at least one argument`);
export const errExactlyOneArgument = (cmd: string): FrontendFailure => args(`${cmd} requires exactly one argument`);
export const errNoDestination = (cmd: string): FrontendFailure =>
  args(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`, `write ${cmd} <src>... <dest>`);
export const errBlankNames = (cmd: string): FrontendFailure => args(`${cmd} names can not be blank`);
export const errNotJSON = (cmd: string): FrontendFailure => args(`${cmd} requires the arguments to be in JSON form`, `write ${cmd} ["executable", "arg"]`);

/** Shell form joins the arguments into one string; exec form keeps them (handleJSONArgs). */
export function handleJSONArgs(argv: string[], json: boolean): string[] {
  if (argv.length === 0) return [];
  return json ? argv : [argv.join(' ')];
}

/** The text of a `# NAME description` comment for a definition. */
export function docComment(comments: readonly string[], name: string): string | undefined {
  if (name === '') return undefined;
  for (const line of comments) if (line.startsWith(name + ' ')) return line.slice(name.length + 1);
  return undefined;
}
