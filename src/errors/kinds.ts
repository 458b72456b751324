/**
 * The closed set of error kinds (modelled on containerd errdefs). Retry logic
 * and the CLI's exit codes key off the kind, never off the message.
 */
export const ERROR_KINDS = [
  'not-found',
  'already-exists',
  'invalid-argument',
  'failed-precondition',
  'unavailable',
  'unauthorized',
  'permission-denied',
  'canceled',
  'internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];
