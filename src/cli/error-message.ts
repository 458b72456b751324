import { CODES, isHoistError, type ErrorKind } from '../errors';

/** The one place that turns error kinds into exit codes (0 success, 1 failure, 2 usage). */
export function exitCodeFor(err: unknown): number {
  if (isHoistError(err) && err.code === 'USAGE') return 2;
  return 1;
}

const KIND_PREFIX: Partial<Record<ErrorKind, string>> = {
  unauthorized: 'unauthorized: ',
  'permission-denied': 'permission denied: ',
};

/** The one place that turns errors into the line the user reads (plus details with --debug). */
export function formatError(err: unknown, debug: boolean): string {
  if (isHoistError(err)) {
    let line = `hoist: ${KIND_PREFIX[err.kind] ?? ''}${err.message}`;
    if (debug) {
      line += `\n  code: ${err.code} (${CODES[err.code].meaning})\n  kind: ${err.kind}`;
      if (Object.keys(err.details).length > 0) line += `\n  details: ${JSON.stringify(err.details)}`;
      if (err.cause !== undefined) line += `\n  cause: ${String((err.cause as Error)?.stack ?? err.cause)}`;
    }
    return `${line}\n`;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && typeof e.syscall === 'string') {
    return `hoist: ${e.message}${debug ? `\n${e.stack ?? ''}` : ''}\n`;
  }
  return `hoist: internal error: ${debug ? ((err as Error)?.stack ?? String(err)) : ((err as Error)?.message ?? String(err))}\n`;
}
