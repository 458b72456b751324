import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { digestOf } from '../../../src/oci/digest';
import { createProgressRenderer, formatBytes } from '../../../src/registry/progress-render';

function sink(isTTY: boolean): Writable & { text: string; isTTY: boolean } {
  const w = new Writable({
    write(chunk: Buffer, _e, cb) {
      (w as unknown as { text: string }).text += chunk.toString();
      cb();
    },
  }) as Writable & { text: string; isTTY: boolean };
  w.text = '';
  w.isTTY = isTTY;
  return w;
}

const digest = digestOf('layer');
const events = [
  { type: 'blob-start', action: 'pull', digest, size: 2_000_000, mediaType: 'x' },
  { type: 'blob-progress', action: 'pull', digest, current: 1_000_000, total: 2_000_000 },
  { type: 'retry', attempt: 1, maxAttempts: 5, delayMs: 250, reason: 'HTTP 503', what: 'GET /v2/x' },
  { type: 'blob-done', action: 'pull', digest, size: 2_000_000 },
  { type: 'done', action: 'pull', ref: 'r', digest, bytes: 2_000_000, ms: 10 },
] as const;

describe('registry/progress-render', () => {
  it('prints one line per layer event when not a TTY; retries only with debug', () => {
    const out = sink(false);
    const r = createProgressRenderer({ out });
    for (const e of events) r.onEvent(e);
    r.close();
    assert.match(out.text, new RegExp(`${digest.slice(7, 19)}: Pulling 2.00MB\\n`));
    assert.match(out.text, /Pull complete/);
    assert.ok(!out.text.includes('\x1b['), 'no escape codes');
    assert.ok(!out.text.includes('retry'));
    const dbg = sink(false);
    const r2 = createProgressRenderer({ out: dbg, debug: true });
    for (const e of events) r2.onEvent(e);
    assert.match(dbg.text, /retry 1\/4 in 250 ms/);
  });

  it('draws bars with bytes and rate on a TTY, nothing when quiet', () => {
    const tty = sink(true);
    const r = createProgressRenderer({ out: tty, intervalMs: 0 });
    for (const e of events.slice(0, 2)) r.onEvent(e);
    assert.match(tty.text, /\[=+> +\] 1\.00MB\/2\.00MB [\d.]+[kMG]?B\/s/);
    assert.ok(tty.text.includes('\x1b[2K'));
    const quiet = sink(true);
    const q = createProgressRenderer({ out: quiet, mode: 'quiet' });
    for (const e of events.slice(0, 4)) q.onEvent(e);
    q.close();
    assert.equal(quiet.text, '');
    assert.equal(formatBytes(1536), '1.54kB');
  });
});
