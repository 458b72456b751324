import { strict as assert } from 'node:assert';
import { PassThrough, Writable } from 'node:stream';
import { isHoistError } from '../../../src/errors';
import { isPromptable, promptLine } from '../../../src/cli/prompt';

/** A terminal's input as promptLine sees it: a stream with isTTY and setRawMode (calls recorded). */
function terminalInput(): PassThrough & { isTTY: boolean; modes: boolean[]; setRawMode(m: boolean): void } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; modes: boolean[]; setRawMode(m: boolean): void };
  s.isTTY = true;
  s.modes = [];
  s.setRawMode = (m: boolean) => void s.modes.push(m);
  return s;
}

function screen(): Writable & { text: string } {
  const w = new Writable({ write: (c: Buffer, _e, cb) => ((w.text += c.toString()), cb()) }) as Writable & { text: string };
  w.text = '';
  return w;
}

describe('cli/prompt', () => {
  it('only a terminal with a raw mode is promptable', () => {
    assert.equal(isPromptable(new PassThrough()), false);
    assert.equal(isPromptable(terminalInput()), true);
  });

  it('a hidden answer: raw mode on and off again, Backspace and Ctrl-U edit, nothing typed is shown', async () => {
    const input = terminalInput();
    const out = screen();
    const answer = promptLine(input, out, 'Password: ', { hidden: true });
    input.write('wrong\x15se');
    input.write('cx\x7fret\r');
    assert.equal(await answer, 'secret');
    assert.deepEqual(input.modes, [true, false]);
    assert.equal(out.text, 'Password: \n');
  });

  it('a hidden answer: the terminal is in raw mode before the prompt shows (keys typed at once neither echo nor signal)', async () => {
    const input = terminalInput();
    const seen: string[] = [];
    input.setRawMode = (m: boolean) => void seen.push(`raw ${m}`);
    const out = new Writable({ write: (c: Buffer, _e, cb) => (seen.push(`shows ${JSON.stringify(c.toString())}`), cb()) });
    const answer = promptLine(input, out, 'Password: ', { hidden: true });
    input.write('pw\r');
    await answer;
    assert.deepEqual(seen, ['raw true', 'shows "Password: "', 'raw false', 'shows "\\n"']);
  });

  it('Ctrl-C, Ctrl-D on an empty line and a closed terminal cancel with ABORTED, and raw mode is reset', async () => {
    for (const keys of ['ab\x03', '\x04']) {
      const input = terminalInput();
      const answer = promptLine(input, screen(), 'Password: ', { hidden: true });
      input.write(keys);
      await assert.rejects(answer, (e: unknown) => isHoistError(e, 'ABORTED'));
      assert.deepEqual(input.modes, [true, false]);
    }
    const input = terminalInput();
    const answer = promptLine(input, screen(), 'Username: ');
    input.end();
    await assert.rejects(answer, (e: unknown) => isHoistError(e, 'ABORTED') && /terminal closed/.test((e as Error).message));
    assert.deepEqual(input.modes, [], 'a visible answer stays in the terminal line mode');
  });

  it('a visible answer is the line up to Enter', async () => {
    const input = terminalInput();
    const answer = promptLine(input, screen(), 'Username: ');
    input.write('cli\n');
    assert.equal(await answer, 'cli');
  });
});
