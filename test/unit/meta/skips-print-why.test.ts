import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../helpers/paths';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Mocha's ways to skip; only skipWith (test/helpers/capabilities.ts) may call them, after printing why. */
const SKIPS = /\.skip\(|\bxit\(|\bxdescribe\(|\bit\.skip\b|\bdescribe\.skip\b/;

describe('meta: every skip in the suite prints why', () => {
  it('no test calls this.skip(), it.skip or describe.skip but through skipWith', () => {
    const offenders: string[] = [];
    for (const file of [...sources(path.join(REPO_ROOT, 'test')), ...sources(path.join(REPO_ROOT, 'spec'))]) {
      if (file === path.join(REPO_ROOT, 'test', 'helpers', 'capabilities.ts') || file === path.join(REPO_ROOT, 'test', 'unit', 'meta', 'skips-print-why.test.ts')) continue;
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (SKIPS.test(line)) offenders.push(`${path.relative(REPO_ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(offenders, [], 'use skipWith(this, reason) from test/helpers/capabilities.ts');
  });
});
