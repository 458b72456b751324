import { constants } from 'node:os';

/** A signal's number (SIGKILL -> 9); undefined for an unknown name. */
export function signalNumber(signal: string): number | undefined {
  const name = /^\d+$/.test(signal) ? undefined : signal.startsWith('SIG') ? signal : `SIG${signal}`;
  if (name === undefined) return Number(signal);
  return (constants.signals as Record<string, number | undefined>)[name];
}

/**
 * A process's exit status as a shell reports it: the code when it exited,
 * 128+n when signal n killed it (runc reports a killed container this way
 * itself; a killed runc is mapped here).
 */
export function exitStatusOf(code: number | null, signal: NodeJS.Signals | string | null): number {
  if (code !== null) return code;
  if (signal !== null) return 128 + (signalNumber(signal) ?? 0);
  return 255;
}
