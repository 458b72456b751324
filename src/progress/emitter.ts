import type { Digest } from '../oci/digest';
import type { ProgressListener } from './events';

/** Call a listener without letting a faulty renderer break the operation. */
export function emitter(listener: ProgressListener | undefined): ProgressListener {
  if (listener === undefined) return () => undefined;
  return (ev) => {
    try {
      listener(ev);
    } catch {
      /* a renderer's failure is not the operation's */
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
