import { CODES, type ErrorCode } from './codes';
import type { ErrorKind } from './kinds';

export type ErrorDetails = Record<string, unknown>;

/**
 * The one base class of hoist's coded errors. `code` is stable, `kind` comes
 * from the code table, `details` carry structured context (never credentials).
 * Match on `code` or `kind` (see `isHoistError`), never on the message.
 */
export class HoistError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly details: ErrorDetails;
  /** marker that survives duplicated package copies, unlike instanceof */
  readonly isHoistError = true as const;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.kind = CODES[code].kind;
    this.details = details;
    this.name = new.target.name;
  }
}

/** One subclass per area, not per code. */
export class OciError extends HoistError {}
export class StreamError extends HoistError {}
export class StoreError extends HoistError {}
export class ImageError extends HoistError {}
export class DockerfileError extends HoistError {}
export class LayerError extends HoistError {}
export class SnapshotError extends HoistError {}
export class RegistryError extends HoistError {}
export class RuntimeError extends HoistError {}
export class BuildError extends HoistError {}
export class ConvertError extends HoistError {}
export class PackError extends HoistError {}
export class UsageError extends HoistError {}

export function isHoistError(err: unknown, code?: ErrorCode): err is HoistError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { isHoistError?: unknown }).isHoistError === true &&
    (code === undefined || (err as HoistError).code === code)
  );
}

export function hasKind(err: unknown, kind: ErrorKind): boolean {
  return isHoistError(err) && err.kind === kind;
}

export const isNotFound = (err: unknown): boolean => hasKind(err, 'not-found');
export const isAlreadyExists = (err: unknown): boolean => hasKind(err, 'already-exists');

/** Node's system errors (`ENOENT`, ...). Catch only the one you expect. */
export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && codes.includes((err as NodeJS.ErrnoException).code ?? '');
}

/** Throws ABORTED if the signal has fired. Call between chunks and steps. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new HoistError('ABORTED', 'operation aborted', {}, { cause: signal.reason });
  }
}
