import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODES, ERROR_KINDS, HoistError, isHoistError, hasKind } from '../../../src/errors';
import { exitCodeFor, formatError } from '../../../src/cli/error-message';
import { REPO_ROOT } from '../../helpers/paths';

const DOC = path.join(REPO_ROOT, 'docs', 'errors.md');

function renderDoc(): string {
  const rows = Object.entries(CODES).map(([code, info]) => `| \`${code}\` | ${info.kind} | ${info.meaning} |`);
  return [
    '# Error codes',
    '',
    'Every failure hoist reports is a `HoistError` with a stable `code` (never renamed once released),',
    'a `kind` from a closed set, and structured `details`. Retries and exit codes key off the kind;',
    'scripts should match on the code, never on the message. `--debug` prints code, kind and details.',
    '',
    `Kinds: ${ERROR_KINDS.map((k) => `\`${k}\``).join(', ')}. Exit status: 2 for \`USAGE\`, 1 for every other error.`,
    '',
    '(This file is generated from `src/errors/codes.ts` by `UPDATE_DOCS=1 npx mocha dist/test/unit/errors/codes-doc.test.js`;',
    'a test fails when the two disagree.)',
    '',
    '| code | kind | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

describe('errors', () => {
  it('docs/errors.md lists every code with its kind and meaning', () => {
    const want = renderDoc();
    if (process.env.UPDATE_DOCS === '1') fs.writeFileSync(DOC, want);
    assert.equal(fs.readFileSync(DOC, 'utf8'), want, 'docs/errors.md is stale: regenerate it (see its header)');
  });

  it('codes are SCREAMING_SNAKE_CASE with a known kind', () => {
    for (const [code, info] of Object.entries(CODES)) {
      assert.match(code, /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/);
      assert.ok((ERROR_KINDS as readonly string[]).includes(info.kind), `${code} has a known kind`);
      assert.ok(info.meaning.length > 10);
    }
  });

  it('HoistError carries code, kind, details and cause; the CLI formats one line', () => {
    const cause = new Error('inner');
    const e = new HoistError('CONTENT_NOT_FOUND', 'blob x not found', { digest: 'x' }, { cause });
    assert.ok(isHoistError(e, 'CONTENT_NOT_FOUND'));
    assert.ok(hasKind(e, 'not-found'));
    assert.equal(e.cause, cause);
    assert.equal(formatError(e, false), 'hoist: blob x not found\n');
    assert.match(formatError(e, true), /code: CONTENT_NOT_FOUND[\s\S]*details: \{"digest":"x"\}/);
    assert.equal(exitCodeFor(e), 1);
    assert.equal(exitCodeFor(new HoistError('USAGE', 'bad')), 2);
    assert.ok(!isHoistError(new Error('plain')));
  });
});
