import { dockerfileError, withSource, type ErrorSource } from '../errors';
import type { Node } from '../syntax/ast';
import type { ArgInstruction, FromInstruction, Instruction } from './instruction';
import { parseInstruction } from './parse-instruction';

/** One build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  /** 0-based position; `COPY --from=0` refers to it */
  index: number;
  /** `AS name` lower-cased, or undefined */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
}

export interface StagesResult {
  stages: Stage[];
  /** ARG instructions before the first FROM: the global scope */
  globalArgs: ArgInstruction[];
}

/**
 * Parse the instruction nodes into stages (instructions.Parse): ARGs before the
 * first FROM are global; any other instruction there is an error.
 */
export function parseStages(ast: Node, src: ErrorSource): StagesResult {
  const stages: Stage[] = [];
  const globalArgs: ArgInstruction[] = [];
  for (const node of ast.children) {
    let ins: Instruction | FromInstruction;
    try {
      ins = parseInstruction(node);
    } catch (err) {
      throw withSource(err, src, { line: node.startLine, endLine: node.endLine, ...(node.range ? { column: node.range.start.column } : {}) });
    }
    if (ins.kind === 'FROM') {
      stages.push({ index: stages.length, ...(ins.stageName !== undefined ? { name: ins.stageName } : {}), from: ins, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.kind !== 'ARG') {
        throw dockerfileError('DOCKERFILE_NO_STAGE', 'no build stage in current context', src, { line: node.startLine }, 'only ARG may come before the first FROM');
      }
      globalArgs.push(ins);
    } else {
      stages[stages.length - 1]!.instructions.push(ins);
    }
  }
  return { stages, globalArgs };
}
