import { BuildError, isHoistError } from '../../errors';
import { firstNonSpaceColumn, withSource, type ErrorSource } from '../../dockerfile/errors';

/** A step's error, pointing at its instruction: `Dockerfile:LINE:COL: message` with the source line. */
export function locate(err: unknown, src: ErrorSource, line: number): unknown {
  const e = withSource(err, src, { line });
  if (isHoistError(e) && e.details.line !== undefined) return e;
  const text = src.lines?.[line - 1];
  const column = text !== undefined ? firstNonSpaceColumn(text) : 1;
  const code = isHoistError(e) ? e.code : 'IO_ERROR';
  const details = { ...(isHoistError(e) ? e.details : {}), file: src.file, line, column, ...(text !== undefined ? { sourceLine: text } : {}) };
  return new BuildError(code, `${src.file}:${line}:${column}: ${(e as Error).message}`, details, { cause: e });
}

