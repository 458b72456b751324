import * as assert from 'node:assert/strict';
import { createProgressRenderer } from '../../../../src/cli/render/progress-renderer';
import { cachedBuild, failingBuild, IMAGE_ID, play } from './build-events';

function plain(): { text: string; write(s: string): void; clock: { t: number } } {
  const out = { text: '', write: (s: string) => void (out.text += s), clock: { t: 0 } };
  return out;
}

describe('cli/render/plain-progress', () => {
  it('prints a build as BuildKit plain does: #N lines, timed output, CACHED, DONE, ERROR, then the failed step and the warnings', () => {
    const out = plain();
    const r = createProgressRenderer({ out, mode: 'plain', now: () => out.clock.t });
    play(failingBuild(), out.clock, r.onEvent);
    r.close();
    r.close();
    assert.equal(
      out.text,
      [
        '#1 [internal] load build definition from Dockerfile',
        '',
        '#2 [build 1/3] FROM docker.io/library/busybox',
        '#2 CACHED',
        '',
        '#1 DONE 0.0s',
        '',
        '#3 [build 2/3] RUN make',
        '#3 0.100 compiling a',
        '#3 0.200 compiling b',
        '#3 0.300 warning: unused x',
        '#3 DONE 1.2s',
        '',
        '#4 [build 3/3] RUN ./test',
        '#4 0.100 FAIL: one',
        '#4 ERROR: process "/bin/sh -c ./test" did not complete successfully: exit code: 1',
        '',
        '------',
        ' > [build 3/3] RUN ./test:',
        'FAIL: one',
        '------',
        " 1 warning found:",
        " - UndefinedVar: Usage of undefined variable '$X' (Dockerfile:3)",
        '',
      ].join('\n'),
    );
  });

  it('ends a build with the export: image ID and every tag', () => {
    const out = plain();
    const r = createProgressRenderer({ out, mode: 'plain', now: () => out.clock.t });
    play(cachedBuild(), out.clock, r.onEvent);
    r.close();
    assert.match(out.text, new RegExp(`\\n\\n#3 exporting to image\\n#3 writing image ${IMAGE_ID} done\\n#3 naming to docker.io/library/app:latest done\\n#3 naming to docker.io/library/app:1 done\\n#3 DONE 0.0s\\n$`));
    assert.ok(!out.text.includes('\x1b'), 'no escape codes in plain output');
  });

  it('keeps a line whose chunks end without a newline until the step ends, and ignores events of unknown steps', () => {
    const out = plain();
    const r = createProgressRenderer({ out, mode: 'plain', now: () => out.clock.t });
    r.onEvent({ type: 'step-log', id: 'nope', stream: 'stdout', data: 'lost\n' });
    r.onEvent({ type: 'step-start', id: 's', index: 1, total: 1, name: '[1/1] RUN printf x' });
    r.onEvent({ type: 'step-log', id: 's', stream: 'stdout', data: 'no newline' });
    assert.ok(!out.text.includes('no newline'));
    r.onEvent({ type: 'step-log', id: 's', stream: 'stdout', data: ' 50%\r100%' });
    r.onEvent({ type: 'step-done', id: 's', ms: 300 });
    assert.equal(out.text, '#1 [1/1] RUN printf x\n#1 0.000 100%\n#1 DONE 0.3s\n');
  });
});
