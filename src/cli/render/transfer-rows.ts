import { shortId } from '../../oci/digest';
import type { TransferEvent } from '../../progress';
import { humanSize } from './format';

interface Row {
  id: string;
  status: string;
  current: number;
  total: number;
  startedAt: number;
}

const VERB = { pull: ['Pulling', 'Pull complete'], push: ['Pushing', 'Pushed'] } as const;

function bar(current: number, total: number, width: number): string {
  const frac = total > 0 ? Math.min(1, current / total) : 1;
  const full = Math.floor(frac * width);
  return `[${'='.repeat(Math.max(0, full - 1))}${full > 0 ? '>' : ''}${' '.repeat(width - full)}]`;
}

/**
 * Pull and push as docker shows them: one row per blob (status, and a bar
 * with bytes and rate while it moves) for the live view, and the line that
 * plain output prints for each event.
 */
export class TransferRows {
  private readonly rows = new Map<string, Row>();
  private readonly order: string[] = [];

  constructor(
    private readonly now: () => number,
    private readonly debug: boolean,
  ) {}

  get size(): number {
    return this.order.length;
  }

  /** Applies one event; returns the line plain output prints for it, if any. */
  apply(ev: TransferEvent): string | undefined {
    switch (ev.type) {
      case 'resolve':
        return `${ev.ref}: resolved to ${ev.digest}`;
      case 'blob-start':
        this.set(shortId(ev.digest), { status: VERB[ev.action][0], total: ev.size, current: ev.offset ?? 0, startedAt: this.now() });
        return `${shortId(ev.digest)}: ${VERB[ev.action][0]} ${humanSize(ev.size, 4)}${ev.offset ? ` (resuming at ${humanSize(ev.offset, 4)})` : ''}`;
      case 'blob-progress':
        this.set(shortId(ev.digest), { current: ev.current, total: ev.total });
        return undefined;
      case 'blob-skip': {
        const status = ev.reason === 'exists' ? 'Already exists' : 'Mounted';
        this.set(shortId(ev.digest), { status, current: ev.size, total: ev.size });
        return `${shortId(ev.digest)}: ${status}`;
      }
      case 'blob-done': {
        const status = ev.mountedFrom ? `Mounted from ${ev.mountedFrom}` : VERB[ev.action][1];
        this.set(shortId(ev.digest), { status, current: ev.size, total: ev.size });
        return `${shortId(ev.digest)}: ${status}`;
      }
      case 'blob-error':
        this.set(shortId(ev.digest), { status: `Error: ${ev.code}` });
        return `${shortId(ev.digest)}: error ${ev.code}: ${ev.message}`;
      case 'retry':
        return this.debug ? `retry ${ev.attempt}/${ev.maxAttempts - 1} in ${ev.delayMs} ms: ${ev.what}: ${ev.reason}` : undefined;
      case 'manifest':
        return `${ev.action === 'push' ? 'Pushed' : 'Stored'} manifest ${ev.digest}${ev.ref ? ` as ${ev.ref}` : ''}`;
      case 'done':
        return `Digest: ${ev.digest}`;
    }
  }

  /** The rows of the live view, as docker draws them. */
  render(): string[] {
    const now = this.now();
    return this.order.map((id) => {
      const r = this.rows.get(id)!;
      if (r.current === 0 || r.current >= r.total) return `${r.id}: ${r.status}`;
      const secs = Math.max(0.001, (now - r.startedAt) / 1000);
      return `${r.id}: ${r.status} ${bar(r.current, r.total, 30)} ${humanSize(r.current, 4)}/${humanSize(r.total, 4)} ${humanSize(r.current / secs, 4)}/s`;
    });
  }

  private set(id: string, patch: Partial<Row>): void {
    let r = this.rows.get(id);
    if (r === undefined) {
      r = { id, status: '', current: 0, total: 0, startedAt: this.now() };
      this.rows.set(id, r);
      this.order.push(id);
    }
    Object.assign(r, patch);
  }
}
