import * as assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimit } from '../../../src/stream/map-limit';

describe('stream/map-limit', () => {
  it('keeps at most `limit` tasks in flight and keeps the order of results', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(n * 3);
      inFlight--;
      return n * 10;
    });
    assert.equal(peak, 2);
    assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  });

  it('stops starting tasks after a failure, aborts the others, throws the first error', async () => {
    const started: number[] = [];
    let sawAbort = false;
    await assert.rejects(
      mapLimit([1, 2, 3, 4, 5], 2, async (n, signal) => {
        started.push(n);
        if (n === 1) throw new Error('boom');
        await sleep(20);
        sawAbort ||= signal.aborted;
      }),
      /boom/,
    );
    assert.ok(started.length < 5);
    assert.equal(sawAbort, true);
  });
});
