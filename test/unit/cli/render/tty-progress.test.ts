import * as assert from 'node:assert/strict';
import { createProgressRenderer } from '../../../../src/cli/render/progress-renderer';
import { FakeScreen } from '../../../helpers/fake-screen';
import { cachedBuild, failingBuild, IMAGE_ID, play } from './build-events';

function tty(columns: number, rows?: number) {
  const screen = new FakeScreen(columns, rows);
  const clock = { t: 0 };
  const r = createProgressRenderer({ out: screen, mode: 'auto', now: () => clock.t, intervalMs: 0, tickMs: 0 });
  return { screen, clock, r };
}

describe('cli/render/tty-progress', () => {
  it('shows a running step with its last output lines, and collapses them when it is done', () => {
    const { screen, clock, r } = tty(60);
    const events = failingBuild();
    play(events.slice(0, 8), clock, r.onEvent);
    assert.equal(
      screen.text(),
      [
        '[+] Building 0.4s (2/3)',
        ' => [internal] load build definition from Dockerfile    0.0s',
        ' => CACHED [build 1/3] FROM docker.io/library/busybox   0.0s',
        ' => [build 2/3] RUN make                                0.3s',
        ' => => # compiling a',
        ' => => # compiling b',
        ' => => # warning: unused x',
      ].join('\n'),
    );
    play(events.slice(8, 9), clock, r.onEvent);
    assert.equal(screen.text().split('\n').length, 4, 'the finished step shows one line');
    assert.match(screen.text(), / => \[build 2\/3\] RUN make {2,}1\.2s$/);
    assert.equal(screen.wrapped, 0);
  });

  it('cuts every line to the terminal width (nothing wraps) and puts times at the right edge', () => {
    const { screen, clock, r } = tty(40);
    play(failingBuild().slice(0, 5), clock, r.onEvent);
    r.onEvent({ type: 'step-log', id: 'make', stream: 'stdout', data: `${'x'.repeat(100)}\n\x1b[31mred\x1b[0m\ttab\n` });
    assert.equal(screen.wrapped, 0);
    for (const line of screen.text().split('\n')) assert.ok(line.length <= 40, `${JSON.stringify(line)} is wider than 40`);
    assert.match(screen.text(), /^ => \[internal\] load build definiti… 0\.0s$/m);
    assert.match(screen.text(), /^ => => # x{30}…$/m);
    assert.match(screen.text(), /=> => # red {4}tab$/m);
  });

  it('prints the failed step and the warnings below the finished view', () => {
    const { screen, clock, r } = tty(100);
    play(failingBuild(), clock, r.onEvent);
    r.close();
    const text = screen.text();
    assert.match(text, /^\[\+\] Building 1\.6s \(4\/4\)\n/);
    assert.match(text, / => ERROR \[build 3\/3\] RUN \.\/test +0\.2s\n------\n > \[build 3\/3\] RUN \.\/test:\nFAIL: one\n------\n 1 warning found:\n - UndefinedVar: .*\(Dockerfile:3\)$/);
    assert.ok(!text.includes('=> => # FAIL'), 'the failed step is collapsed in the view');
  });

  it('ends a build with FINISHED, the image ID and the tags', () => {
    const { screen, clock, r } = tty(120);
    play(cachedBuild(), clock, r.onEvent);
    r.close();
    assert.equal(
      screen.text().replace(/ {2,}/g, '  '),
      [
        '[+] Building 0.1s (2/2) FINISHED',
        ' => CACHED [1/2] FROM docker.io/library/busybox  0.0s',
        ' => CACHED [2/2] COPY . /src  0.0s',
        ' => exporting to image  0.0s',
        ` => => writing image ${IMAGE_ID}`,
        ' => => naming to docker.io/library/app:latest',
        ' => => naming to docker.io/library/app:1',
      ].join('\n'),
    );
  });

  it('hides finished steps first when the view is taller than the terminal', () => {
    const { screen, clock, r } = tty(80, 6);
    for (let i = 1; i <= 8; i++) {
      clock.t = i * 10;
      r.onEvent({ type: 'step-start', id: `s${i}`, index: i, total: 9, name: `[${i}/9] RUN step ${i}` });
      r.onEvent({ type: 'step-done', id: `s${i}`, ms: 5 });
    }
    r.onEvent({ type: 'step-start', id: 'last', index: 9, total: 9, name: '[9/9] RUN last' });
    r.onEvent({ type: 'step-log', id: 'last', stream: 'stdout', data: 'one\ntwo\n' });
    const lines = screen.text().split('\n');
    assert.ok(lines.length <= 5, `${lines.length} lines on a 6-row terminal`);
    assert.equal(lines[0], '[+] Building 0.1s (8/9)');
    assert.deepEqual(lines.slice(-3).map((l) => l.trimEnd().replace(/ +\d\.\ds$/, '')), [' => [9/9] RUN last', ' => => # one', ' => => # two']);
  });
});
