import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Digest } from '../oci/digest';
import { digestMismatch, sizeMismatch } from '../stream/verify-stream';

/** End a writer (if the caller did not) and wait until every byte is flushed. */
export async function endAndFlush(w: Writable): Promise<void> {
  if (w.writableFinished) return;
  if (!w.writableEnded) w.end();
  await finished(w, { readable: false });
}

/** The commit rule every ContentWriter applies: what was written must be what was expected. */
export function checkCommitted(
  found: { size: number; digest: Digest },
  want: { size?: number; digest?: Digest },
  ref: string,
): void {
  if (want.size !== undefined && found.size !== want.size) throw sizeMismatch(want.size, found.size, want.digest, { ref });
  if (want.digest !== undefined && found.digest !== want.digest) throw digestMismatch(want.digest, found.digest, { ref });
}
