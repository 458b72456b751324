import { ConvertError } from '../../errors';

/** Linux signal numbers by name (x86/arm; the names LXC's sig_parse knows). */
const SIGNALS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11, USR2: 12,
  PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23,
  XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
};

/**
 * A docker StopSignal (`SIGTERM`, `TERM`, `15`, `SIGRTMIN+3`) in the form
 * LXC's `lxc.signal.*` keys read: `SIG<NAME>`, `SIGRTMIN+n` or a number.
 */
export function normalizeStopSignal(signal: string): string {
  const s = signal.trim().toUpperCase();
  const bad = (): ConvertError => new ConvertError('CONVERT_LXC_INVALID_SIGNAL', `invalid StopSignal ${JSON.stringify(signal)}`, { signal });
  if (/^\d+$/.test(s)) {
    const n = Number(s);
    if (n < 1 || n > 64) throw bad();
    return String(n);
  }
  const name = s.startsWith('SIG') ? s.slice(3) : s;
  if (SIGNALS[name] !== undefined) return `SIG${name}`;
  const rt = /^RT(MIN|MAX)([+-]\d+)?$/.exec(name);
  if (rt) {
    const off = Number(rt[2] ?? 0);
    if ((rt[1] === 'MIN' && (off < 0 || off > 30)) || (rt[1] === 'MAX' && (off > 0 || off < -30))) throw bad();
    return `SIG${name}`;
  }
  throw bad();
}
