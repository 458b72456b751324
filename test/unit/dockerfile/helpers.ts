import { strict as assert } from 'node:assert';
import { isHoistError, type ErrorCode } from '../../../src/errors';
import { parseDockerfile } from '../../../src/dockerfile/parse-dockerfile';
import type { Instruction } from '../../../src/dockerfile/instructions';

/** Parse `FROM scratch` + the given lines; return the stage's instructions. */
export function stageOf(...lines: string[]): Instruction[] {
  return parseDockerfile(['FROM scratch', ...lines].join('\n') + '\n').stages[0]!.instructions;
}

export function one<K extends Instruction['kind']>(kind: K, line: string): Extract<Instruction, { kind: K }> {
  const ins = stageOf(line)[0]!;
  assert.equal(ins.kind, kind);
  return ins as Extract<Instruction, { kind: K }>;
}

/** Assert parsing fails with the code (and the message fragment, when given). */
export function fails(text: string, code: ErrorCode, fragment?: string): void {
  assert.throws(
    () => parseDockerfile(text),
    (err: unknown) => {
      assert.ok(isHoistError(err), `not a coded error: ${String(err)}`);
      assert.equal(err.code, code, err.message);
      if (fragment !== undefined) assert.ok(err.message.includes(fragment), err.message);
      assert.equal(typeof err.details.line, 'number');
      assert.equal(typeof err.details.column, 'number');
      return true;
    },
  );
}

export const inStage = (line: string): string => `FROM scratch\n${line}\n`;
