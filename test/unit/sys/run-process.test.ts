import * as assert from 'node:assert/strict';
import { describeExit, runProcess, runProcessSync, STDERR_CAP } from '../../../src/sys';

describe('sys/runProcess (the one way hoist starts a child)', () => {
  it('passes argv as is: no shell ever sees it', async () => {
    const r = await runProcess(['printf', '%s|', 'a b', '$(echo x)', ';', '*']);
    assert.deepEqual([r.code, r.stdout], [0, 'a b|$(echo x)|;|*|']);
  });

  it('resolves with a failing status and keeps only the tail of a long stderr', async () => {
    const script = `head -c ${3 * STDERR_CAP} /dev/zero | tr '\\0' x >&2; echo >&2; echo the-reason >&2; exit 7`;
    const r = await runProcess(['sh', '-c', script]);
    assert.equal(r.code, 7);
    assert.ok(r.stderr.length <= STDERR_CAP, `stderr kept ${r.stderr.length} bytes`);
    assert.match(describeExit(['sh', '-c', '…'], r), /failed \(exit 7\): the-reason$/);
  });

  it('writes a string input to stdin', async () => {
    const r = await runProcess(['cat'], { stdin: 'hello' });
    assert.equal(r.stdout, 'hello');
  });

  it('kills the child when its AbortSignal fires', async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(runProcess(['sleep', '30'], { signal: ac.signal }), { name: 'AbortError' });
    assert.ok(Date.now() - started < 5000);
  });

  it('rejects with ENOENT for a program that does not exist', async () => {
    await assert.rejects(runProcess(['hoist-no-such-program']), { code: 'ENOENT' });
  });

  it('has a synchronous form for exit handlers', () => {
    const r = runProcessSync(['sh', '-c', 'echo why >&2; exit 3']);
    assert.deepEqual([r.code, r.stderr.trim()], [3, 'why']);
  });
});
