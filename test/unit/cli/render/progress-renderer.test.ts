import * as assert from 'node:assert/strict';
import { createProgressRenderer } from '../../../../src/cli/render/progress-renderer';
import { digestOf } from '../../../../src/oci/digest';
import { FakeScreen } from '../../../helpers/fake-screen';
import { failingBuild, play } from './build-events';

function sink(isTTY: boolean): { text: string; isTTY: boolean; write(s: string): void } {
  const w = { text: '', isTTY, write: (s: string) => void (w.text += s) };
  return w;
}

const digest = digestOf('layer');
const pull = [
  { type: 'blob-start', action: 'pull', digest, size: 2_000_000, mediaType: 'x' },
  { type: 'blob-progress', action: 'pull', digest, current: 1_000_000, total: 2_000_000 },
  { type: 'retry', attempt: 1, maxAttempts: 5, delayMs: 250, reason: 'HTTP 503', what: 'GET /v2/x' },
  { type: 'blob-done', action: 'pull', digest, size: 2_000_000 },
  { type: 'done', action: 'pull', ref: 'r', digest, bytes: 2_000_000, ms: 10 },
] as const;

describe('cli/render/progress-renderer', () => {
  it('pull, not a TTY: one line per layer event; retries only with debug', () => {
    const out = sink(false);
    const r = createProgressRenderer({ out });
    for (const e of pull) r.onEvent(e);
    r.close();
    assert.equal(out.text, `${digest.slice(7, 19)}: Pulling 2MB\n${digest.slice(7, 19)}: Pull complete\nDigest: ${digest}\n`);
    const dbg = sink(false);
    const r2 = createProgressRenderer({ out: dbg, debug: true });
    for (const e of pull) r2.onEvent(e);
    assert.match(dbg.text, /retry 1\/4 in 250 ms: GET \/v2\/x: HTTP 503/);
  });

  it('pull on a TTY: a bar with bytes and rate, redrawn in place; the digest after it', () => {
    const screen = new FakeScreen(100);
    const clock = { t: 0 };
    const r = createProgressRenderer({ out: screen, intervalMs: 0, now: () => clock.t });
    r.onEvent(pull[0]);
    clock.t = 1000;
    r.onEvent(pull[1]);
    assert.match(screen.text(), /^\w{12}: Pulling \[=+> +\] 1MB\/2MB 1MB\/s$/);
    for (const e of pull.slice(2)) r.onEvent(e);
    r.close();
    assert.equal(screen.text(), `${digest.slice(7, 19)}: Pull complete\nDigest: ${digest}`);
  });

  it('json: one event per line, exactly the events; quiet: nothing', () => {
    const out = sink(true);
    const r = createProgressRenderer({ out, mode: 'json' });
    const events = failingBuild().map(([, e]) => e);
    for (const e of events) r.onEvent(e);
    r.close();
    assert.deepEqual(out.text.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown), events);
    const quiet = sink(true);
    const q = createProgressRenderer({ out: quiet, mode: 'quiet' });
    play(failingBuild(), { t: 0 }, q.onEvent);
    for (const e of pull) q.onEvent(e);
    q.close();
    assert.equal(quiet.text, '');
  });
});
