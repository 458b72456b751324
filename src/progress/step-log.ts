import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ProgressListener } from './events';

/** BuildKit's per-step log limit (its default, 2 MiB); output past it is dropped, not buffered. */
export const DEFAULT_STEP_LOG_LIMIT = 2 * 1024 * 1024;

export interface StepLogOptions {
  /** bytes of output shown per stream before the rest is dropped (default 2 MiB) */
  maxBytes?: number;
}

/**
 * A Writable for a step's stdout or stderr (pipe a child's output into it)
 * that emits `step-log` events: UTF-8 decoded without splitting a character
 * across events, and clipped with one notice past `maxBytes`, as BuildKit does.
 * It never stops the writer: the process keeps running whatever is shown.
 */
export function stepLogStream(emit: ProgressListener, id: string, stream: 'stdout' | 'stderr', options: StepLogOptions = {}): Writable {
  const max = options.maxBytes ?? DEFAULT_STEP_LOG_LIMIT;
  const decoder = new StringDecoder('utf8');
  let seen = 0;
  let clipped = false;
  const send = (data: string) => {
    if (data !== '') emit({ type: 'step-log', id, stream, data });
  };
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (clipped) return cb();
      const room = max - seen;
      seen += chunk.length;
      if (chunk.length <= room) {
        send(decoder.write(chunk));
      } else {
        send(decoder.write(chunk.subarray(0, room)) + decoder.end());
        send(`\n[output clipped, log limit ${max} bytes reached]\n`);
        clipped = true;
      }
      cb();
    },
    final(cb) {
      if (!clipped) send(decoder.end());
      cb();
    },
  });
}
