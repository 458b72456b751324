import { DockerfileError, type ErrorCode, type HoistError } from '../errors';

/** Where in a Dockerfile something is: 1-based line and column. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/**
 * A failure raised inside the front end before the file name and source text
 * are known; `withSource` turns it into the coded DockerfileError.
 */
export class FrontendFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface ErrorSource {
  file: string;
  lines?: readonly string[];
}

/** The coded error of a front-end failure at a place in a file. */
export function dockerfileError(
  code: ErrorCode,
  message: string,
  src: ErrorSource,
  at: { line: number; column?: number; endLine?: number },
  hint?: string,
  extra: Record<string, unknown> = {},
): DockerfileError {
  const line = Math.max(at.line, 1);
  const text = src.lines?.[line - 1];
  const column = at.column ?? (text !== undefined ? firstNonSpaceColumn(text) : 1);
  const details: Record<string, unknown> = { file: src.file, line, column, reason: message, ...extra };
  if (at.endLine !== undefined && at.endLine !== line) details.endLine = at.endLine;
  if (text !== undefined) details.sourceLine = text;
  if (hint !== undefined) details.hint = hint;
  const full = hint?.startsWith('did you mean') ? `${message} (${hint})` : message;
  return new DockerfileError(code, `${src.file}:${line}:${column}: ${full}`, details);
}

/** Turn a FrontendFailure (or pass a coded error through) at a place. */
export function withSource(err: unknown, src: ErrorSource, at: { line: number; column?: number; endLine?: number }): unknown {
  if (err instanceof FrontendFailure) return dockerfileError(err.code, err.message, src, at, err.hint, err.extra);
  return err;
}

export function firstNonSpaceColumn(text: string): number {
  const m = /\S/.exec(text);
  return m ? m.index + 1 : 1;
}

/**
 * The human form of a front-end error: `Dockerfile:LINE:COL: message`, the
 * offending line, a caret under the column, and the hint when there is one.
 */
export function formatDockerfileError(err: HoistError): string {
  const d = err.details as { file?: string; line?: number; column?: number; sourceLine?: string; hint?: string; reason?: string };
  if (d.line === undefined) return err.message;
  const out = [err.message];
  if (d.sourceLine !== undefined) {
    const gutter = `${d.line} | `;
    out.push(gutter + d.sourceLine.replace(/\t/g, ' '));
    out.push(' '.repeat(gutter.length + Math.max((d.column ?? 1) - 1, 0)) + '^');
  }
  if (d.hint !== undefined && !d.hint.startsWith('did you mean')) out.push(`hint: ${d.hint}`);
  return out.join('\n');
}
