import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeExit, runChecked, runProcess, runProcessSync, startProcess, STDERR_CAP } from '../../../src/sys';

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

  it('runChecked rejects a failing tool with its argv, status and the last line it said', async () => {
    await assert.rejects(runChecked(['sh', '-c', 'echo first >&2; echo the-reason >&2; exit 4']), /^Error: sh -c .* failed \(exit 4\): the-reason$/);
    assert.equal((await runChecked(['printf', 'ok'])).stdout, 'ok');
  });

  it('startProcess hands back a child whose streams the caller drives', async () => {
    const child = startProcess(['tr', 'a-z', 'A-Z'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin!.end('streamed');
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.deepEqual([code, out], [0, 'STREAMED']);
  });

  it('is the only file of src/ that loads node:child_process (type imports aside)', () => {
    const root = path.resolve(__dirname, '../../../../src');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
          const text = fs.readFileSync(p, 'utf8').replace(/^import type .*$/gm, '');
          if (/['"](node:)?child_process['"]/.test(text)) offenders.push(path.relative(root, p));
        }
      }
    };
    walk(root);
    assert.deepEqual(offenders.sort(), ['cli/defer-builtins.ts', 'sys/run-process.ts']);
  });
});

