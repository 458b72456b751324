import type { ProgressEvent } from '../../progress';
import { BuildSteps, type Step } from './build-steps';
import { errorBlock, exportLines, warningLines } from './build-summary';
import { stepSeconds } from './format';
import type { ProgressRenderer, RenderTarget } from './progress-renderer';
import { TransferRows } from './transfer-rows';

export interface TtyOptions {
  out: RenderTarget;
  now: () => number;
  debug: boolean;
  /** redraw at most this often (ms) */
  intervalMs: number;
  /** redraw this often while steps run, for their clocks (ms; 0: only on events) */
  tickMs: number;
}

/** Output lines a running step shows under its line (BuildKit shows 6). */
const LOG_LINES = 6;

/** What a log line may hold on a live view: no escapes or control characters, tabs as spaces. */
function printable(text: string): string {
  return text
    .replace(/\x1b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/\t/g, '    ')
    .replace(/[\x00-\x1f\x7f]/g, '');
}

function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/** A line with its time at the right edge, as BuildKit draws a step. */
function timed(left: string, time: string, width: number): string {
  const room = Math.max(1, width - time.length - 1);
  return `${fit(left, room).padEnd(room)} ${time}`;
}

/**
 * The live view on a terminal: redrawn in place (cursor up, clear, draw),
 * every line cut to the terminal's width so nothing wraps. A build shows
 * BuildKit's `[+] Building 1.2s (3/6)` header, a line per step (CACHED,
 * ERROR, its time at the right) and under a running step its last output
 * lines, collapsed when it ends; after the view, failed steps' output and
 * the warnings. Pull and push show docker's per-blob rows with bars.
 */
export function createTtyRenderer(options: TtyOptions): ProgressRenderer {
  const { out, now } = options;
  const steps = new BuildSteps(now);
  const transfers = new TransferRows(now, options.debug);
  const warnings: Extract<ProgressEvent, { type: 'warning' }>[] = [];
  const startedAt = now();
  let exported: string[] | undefined;
  let finishedAt: number | undefined;
  let drawn = 0;
  let lastDraw = -Infinity;
  let pending: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;
  /** the view changed since it was last drawn */
  let dirty = false;

  const stepLines = (s: Step, width: number): string[] => {
    const mark = s.state === 'cached' ? 'CACHED ' : s.state === 'error' ? 'ERROR ' : '';
    const head = timed(` => ${mark}${s.name}`, stepSeconds(steps.elapsed(s)), width);
    if (s.state !== 'running') return [head];
    return [head, ...s.tail.slice(-LOG_LINES).map((l) => fit(` => => # ${printable(l)}`, width))];
  };

  const view = (): string[] => {
    const width = Math.max(20, out.columns ?? 80);
    const rows = transfers.render().map((r) => fit(steps.steps.length > 0 ? ` => => ${r}` : r, width));
    if (steps.steps.length === 0) return rows;
    const { finished, total } = steps.counts();
    const secs = stepSeconds((finishedAt ?? now()) - startedAt);
    const header = fit(`[+] Building ${secs} (${finished}/${total})${finishedAt !== undefined ? ' FINISHED' : ''}`, width);
    let body = steps.steps.map((s) => stepLines(s, width));
    const tail = [...rows, ...(exported ?? []).map((l, i) => (i === 0 ? timed(` => ${l}`, stepSeconds(0), width) : fit(` => => ${l}`, width)))];
    // too tall for the terminal: hide finished steps first, oldest first, then cut the top
    const height = out.rows !== undefined ? Math.max(2, out.rows - 1) : Infinity;
    const count = () => 1 + body.reduce((n, b) => n + b.length, 0) + tail.length;
    for (let i = 0; i < body.length && count() > height; i++) if (steps.steps[i]!.state !== 'running') body[i] = [];
    body = body.filter((b) => b.length > 0);
    return [header, ...body.flat(), ...tail].slice(-height);
  };

  const redraw = (force: boolean) => {
    if (closed && !force) return;
    const t = now();
    if (!force && t - lastDraw < options.intervalMs) {
      pending ??= setTimeout(() => {
        pending = undefined;
        redraw(true);
      }, options.intervalMs - (t - lastDraw)).unref();
      return;
    }
    lastDraw = t;
    dirty = false;
    const lines = view();
    out.write(`${drawn > 0 ? `\x1b[${drawn}A` : ''}${lines.map((l) => `\r\x1b[2K${l}\n`).join('')}\x1b[J`);
    drawn = lines.length;
  };

  /** Text below the view, which the next redraw leaves alone. */
  const below = (lines: string[]) => {
    if (lines.length === 0) return;
    out.write(lines.map((l) => `${l}\n`).join(''));
    drawn = 0;
  };

  return {
    onEvent(ev) {
      if (closed) return;
      dirty = true;
      switch (ev.type) {
        case 'step-start':
        case 'step-cached':
        case 'step-log':
        case 'step-done':
        case 'step-error':
          steps.apply(ev);
          if (ticker === undefined && options.tickMs > 0) ticker = setInterval(() => redraw(false), options.tickMs).unref();
          return redraw(ev.type !== 'step-log');
        case 'warning':
          warnings.push(ev);
          return;
        case 'build-done':
          exported = ['exporting to image', ...exportLines(ev)];
          finishedAt = now();
          return redraw(true);
        case 'done':
          redraw(true);
          return below([transfers.apply(ev)!]);
        default:
          transfers.apply(ev);
          return redraw(ev.type !== 'blob-progress');
      }
    },
    close() {
      if (closed) return;
      if (pending !== undefined) clearTimeout(pending);
      if (ticker !== undefined) clearInterval(ticker);
      if (dirty) redraw(true);
      closed = true;
      below([...steps.steps.filter((s) => s.state === 'error').flatMap(errorBlock).map(printable), ...warningLines(warnings)]);
    },
  };
}
