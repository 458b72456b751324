import type { ProgressRenderer } from './progress-renderer';

/**
 * `--progress json`: each event as one line of JSON, exactly the event's
 * fields (the vocabulary in src/progress/events.ts), for programs to read.
 */
export function createJsonRenderer(write: (s: string) => void): ProgressRenderer {
  return {
    onEvent: (ev) => write(`${JSON.stringify(ev)}\n`),
    close: () => undefined,
  };
}
