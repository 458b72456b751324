import type { Readable, Writable } from 'node:stream';
import { HoistError } from '../errors';

interface TtyInput extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/** Is this input a terminal we can prompt on (and turn echo off for a password)? */
export function isPromptable(input: Readable): boolean {
  const tty = input as TtyInput;
  return tty.isTTY === true && typeof tty.setRawMode === 'function';
}

const LINE_MAX = 4096;

/**
 * Asks `question` on a terminal and reads one line. Visible answers are read
 * in the terminal's own line mode (its echo and editing). A `hidden` answer
 * (a password) is read in raw mode, so the terminal echoes nothing; editing
 * is done here: Backspace deletes, Ctrl-U clears, Ctrl-C or Ctrl-D cancel
 * (ABORTED). Raw mode is on before the question shows, and always turned
 * off again.
 */
export async function promptLine(input: Readable, output: Writable, question: string, options: { hidden?: boolean; signal?: AbortSignal } = {}): Promise<string> {
  const tty = input as TtyInput;
  // raw mode first: keys typed as soon as the prompt shows must neither echo nor raise SIGINT
  if (options.hidden) tty.setRawMode?.(true);
  output.write(question);
  let line = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const done = (err: Error | undefined, value = ''): void => {
        input.off('data', onData);
        input.off('end', onEnd);
        options.signal?.removeEventListener('abort', onAbort);
        input.pause();
        if (err) reject(err);
        else resolve(value);
      };
      const cancel = (): void => done(new HoistError('ABORTED', 'login canceled', {}));
      const onAbort = (): void => cancel();
      const onEnd = (): void => done(new HoistError('ABORTED', 'login canceled: the terminal closed', {}));
      const onData = (chunk: Buffer | string): void => {
        for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done(undefined, line);
          if (!options.hidden) line += ch;
          else if (ch === '\x03' || (ch === '\x04' && line === '')) return cancel();
          else if (ch === '\x7f' || ch === '\b') line = [...line].slice(0, -1).join('');
          else if (ch === '\x15') line = '';
          else if (ch >= ' ') line += ch;
          if (line.length > LINE_MAX) return done(new HoistError('ABORTED', `login canceled: more than ${LINE_MAX} characters typed`, {}));
        }
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      input.on('data', onData);
      input.once('end', onEnd);
      input.resume();
    });
  } finally {
    if (options.hidden) {
      tty.setRawMode?.(false);
      output.write('\n'); // the Enter the terminal did not echo
    }
  }
}
