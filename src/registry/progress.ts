import type { Digest } from '../oci/digest';

/**
 * Progress of a pull or push, as a stream of typed events that any front end
 * renders (per-layer bars on a TTY, lines otherwise, nothing with --quiet).
 * Events carry no credentials and no URLs with secrets.
 */
export type ProgressEvent =
  | { type: 'resolve'; ref: string; digest: Digest; mediaType: string }
  | { type: 'blob-start'; action: 'pull' | 'push'; digest: Digest; size: number; mediaType: string; offset?: number }
  | { type: 'blob-progress'; action: 'pull' | 'push'; digest: Digest; current: number; total: number }
  | { type: 'blob-skip'; action: 'pull' | 'push'; digest: Digest; size: number; reason: 'exists' | 'mounted' }
  | { type: 'blob-done'; action: 'pull' | 'push'; digest: Digest; size: number; mountedFrom?: string }
  | { type: 'blob-error'; action: 'pull' | 'push'; digest: Digest; code: string; message: string }
  | { type: 'retry'; attempt: number; maxAttempts: number; delayMs: number; reason: string; what: string }
  | { type: 'manifest'; action: 'pull' | 'push'; digest: Digest; mediaType: string; ref?: string }
  | { type: 'done'; action: 'pull' | 'push'; ref: string; digest: Digest; bytes: number; ms: number };

export type ProgressListener = (event: ProgressEvent) => void;

/** Call a listener without letting a faulty renderer break the operation. */
export function emitter(listener: ProgressListener | undefined): ProgressListener {
  if (listener === undefined) return () => undefined;
  return (ev) => {
    try {
      listener(ev);
    } catch {
      /* a renderer's failure is not the pull's */
    }
  };
}

/** Emits blob-progress at most every `intervalMs` (and always at the end). */
export class ProgressThrottle {
  private last = 0;

  constructor(
    private readonly emit: ProgressListener,
    private readonly action: 'pull' | 'push',
    private readonly digest: Digest,
    private readonly total: number,
    private readonly intervalMs = 100,
  ) {}

  update(current: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.last < this.intervalMs && current < this.total) return;
    this.last = now;
    this.emit({ type: 'blob-progress', action: this.action, digest: this.digest, current, total: this.total });
  }
}
