import { shortId } from '../oci/digest';
import type { ProgressEvent, ProgressListener } from './progress';

export type RenderMode = 'tty' | 'plain' | 'quiet';

export interface RendererOptions {
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** default: tty when `out` is a TTY, else plain */
  mode?: RenderMode;
  /** show retries (--debug); they are always counted in the summary */
  debug?: boolean;
  /** redraw at most this often on a TTY (default 100 ms) */
  intervalMs?: number;
}

export interface ProgressRenderer {
  onEvent: ProgressListener;
  /** final redraw; call when the operation ends */
  close(): void;
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)}${units[i]}`;
}

interface Row {
  id: string;
  status: string;
  current: number;
  total: number;
  startedAt: number;
}

function bar(current: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, current / total) : 1;
  const full = Math.floor(frac * width);
  return `[${'='.repeat(Math.max(0, full - 1))}${full > 0 ? '>' : ''}${' '.repeat(width - full)}]`;
}

function rowText(r: Row, now: number): string {
  if (r.current === 0 || r.current >= r.total) return `${r.id}: ${r.status}`;
  const secs = Math.max(0.001, (now - r.startedAt) / 1000);
  const rate = `${formatBytes(r.current / secs)}/s`;
  return `${r.id}: ${r.status} ${bar(r.current, r.total, 30)} ${formatBytes(r.current)}/${formatBytes(r.total)} ${rate}`;
}

const VERB = { pull: ['Pulling', 'Pull complete'], push: ['Pushing', 'Pushed'] } as const;

/**
 * Renders the progress event stream as docker does: one bar per layer on a
 * TTY (bytes, rate), one line per layer event otherwise, nothing when quiet.
 */
export function createProgressRenderer(options: RendererOptions): ProgressRenderer {
  const mode: RenderMode = options.mode ?? (options.out.isTTY ? 'tty' : 'plain');
  const rows = new Map<string, Row>();
  const order: string[] = [];
  let drawn = 0;
  let lastDraw = 0;
  const write = (s: string) => options.out.write(s);

  const redraw = (force: boolean) => {
    const now = Date.now();
    if (!force && now - lastDraw < (options.intervalMs ?? 100)) return;
    lastDraw = now;
    let s = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const id of order) s += `\x1b[2K${rowText(rows.get(id)!, now)}\n`;
    drawn = order.length;
    write(s);
  };

  const line = (s: string) => {
    if (mode === 'plain') write(`${s}\n`);
  };

  const setRow = (id: string, patch: Partial<Row>) => {
    let r = rows.get(id);
    if (r === undefined) {
      r = { id, status: '', current: 0, total: 0, startedAt: Date.now() };
      rows.set(id, r);
      order.push(id);
    }
    Object.assign(r, patch);
  };

  const onEvent: ProgressListener = (ev: ProgressEvent) => {
    if (mode === 'quiet') return;
    switch (ev.type) {
      case 'resolve':
        line(`${ev.ref}: resolved to ${ev.digest}`);
        break;
      case 'blob-start':
        setRow(shortId(ev.digest), { status: VERB[ev.action][0], total: ev.size, current: ev.offset ?? 0, startedAt: Date.now() });
        line(`${shortId(ev.digest)}: ${VERB[ev.action][0]} ${formatBytes(ev.size)}${ev.offset ? ` (resuming at ${formatBytes(ev.offset)})` : ''}`);
        break;
      case 'blob-progress':
        setRow(shortId(ev.digest), { current: ev.current, total: ev.total });
        break;
      case 'blob-skip':
        setRow(shortId(ev.digest), { status: ev.reason === 'exists' ? 'Already exists' : 'Mounted', current: ev.size, total: ev.size });
        line(`${shortId(ev.digest)}: ${ev.reason === 'exists' ? 'Already exists' : 'Mounted'}`);
        break;
      case 'blob-done':
        setRow(shortId(ev.digest), { status: ev.mountedFrom ? `Mounted from ${ev.mountedFrom}` : VERB[ev.action][1], current: ev.size, total: ev.size });
        line(`${shortId(ev.digest)}: ${ev.mountedFrom ? `Mounted from ${ev.mountedFrom}` : VERB[ev.action][1]}`);
        break;
      case 'blob-error':
        setRow(shortId(ev.digest), { status: `Error: ${ev.code}` });
        line(`${shortId(ev.digest)}: error ${ev.code}: ${ev.message}`);
        break;
      case 'retry':
        if (options.debug) line(`retry ${ev.attempt}/${ev.maxAttempts - 1} in ${ev.delayMs} ms: ${ev.what}: ${ev.reason}`);
        break;
      case 'manifest':
        line(`${ev.action === 'push' ? 'Pushed' : 'Stored'} manifest ${ev.digest}${ev.ref ? ` as ${ev.ref}` : ''}`);
        break;
      case 'done':
        if (mode === 'tty') redraw(true);
        write(`Digest: ${ev.digest}\n`);
        return;
    }
    if (mode === 'tty') redraw(ev.type !== 'blob-progress');
  };

  return {
    onEvent,
    close: () => {
      if (mode === 'tty' && order.length > 0) redraw(true);
    },
  };
}
