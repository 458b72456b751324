import * as assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { emitter, stepLogStream, type ProgressEvent } from '../../../src/progress';

async function logOf(chunks: Buffer[], maxBytes?: number): Promise<ProgressEvent[]> {
  const events: ProgressEvent[] = [];
  await pipeline(Readable.from(chunks), stepLogStream((e) => events.push(e), 's1', 'stderr', maxBytes === undefined ? {} : { maxBytes }));
  return events;
}

describe('progress/step-log', () => {
  it('emits step-log events without splitting a UTF-8 character across them', async () => {
    const bytes = Buffer.from('grün\n');
    const events = await logOf([bytes.subarray(0, 3), bytes.subarray(3)]);
    assert.deepEqual(events, [
      { type: 'step-log', id: 's1', stream: 'stderr', data: 'gr' },
      { type: 'step-log', id: 's1', stream: 'stderr', data: 'ün\n' },
    ]);
  });

  it('clips output past the limit with one notice and keeps reading', async () => {
    const events = await logOf([Buffer.from('0123456789'), Buffer.from('abcdef'), Buffer.from('more')], 12);
    const text = events.map((e) => (e.type === 'step-log' ? e.data : '')).join('');
    assert.equal(text, '0123456789ab\n[output clipped, log limit 12 bytes reached]\n');
  });

  it('emitter: a throwing listener does not reach the emitter; no listener is a no-op', () => {
    const emit = emitter(() => {
      throw new Error('renderer bug');
    });
    assert.doesNotThrow(() => emit({ type: 'step-cached', id: 'x' }));
    assert.doesNotThrow(() => emitter(undefined)({ type: 'step-cached', id: 'x' }));
  });
});
