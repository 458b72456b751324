import type { ProgressListener } from '../../progress';
import { createJsonRenderer } from './json-progress';
import { createPlainRenderer } from './plain-progress';
import { createTtyRenderer } from './tty-progress';

/** docker's --progress values; `auto` is tty on a terminal, else plain. */
export type RenderMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet';

export const RENDER_MODES: readonly RenderMode[] = ['auto', 'tty', 'plain', 'json', 'quiet'];

/** Where progress goes: a stream, with a terminal's size when it is one. */
export type RenderTarget = { write(s: string): unknown; isTTY?: boolean; columns?: number; rows?: number };

export interface RendererOptions {
  out: RenderTarget;
  /** default auto */
  mode?: RenderMode;
  /** show retries (--debug); they are always counted in the summary */
  debug?: boolean;
  /** tty: redraw at most this often (default 100 ms) */
  intervalMs?: number;
  /** tty: redraw this often while steps run so their clocks move (default 500 ms; 0: only on events) */
  tickMs?: number;
  /** the clock (tests pass their own) */
  now?: () => number;
}

export interface ProgressRenderer {
  onEvent: ProgressListener;
  /** final redraw, then failed steps' output and warnings; call once when the operation ends (also on failure) */
  close(): void;
}

/** A renderer for pull, push, load and build events in the mode asked for. */
export function createProgressRenderer(options: RendererOptions): ProgressRenderer {
  const requested = options.mode ?? 'auto';
  const mode = requested === 'auto' ? (options.out.isTTY ? 'tty' : 'plain') : requested;
  const write = (s: string) => void options.out.write(s);
  const now = options.now ?? Date.now;
  const debug = options.debug ?? false;
  switch (mode) {
    case 'quiet':
      return { onEvent: () => undefined, close: () => undefined };
    case 'json':
      return createJsonRenderer(write);
    case 'plain':
      return createPlainRenderer({ write, now, debug });
    case 'tty':
      return createTtyRenderer({ out: options.out, now, debug, intervalMs: options.intervalMs ?? 100, tickMs: options.tickMs ?? 500 });
  }
}
