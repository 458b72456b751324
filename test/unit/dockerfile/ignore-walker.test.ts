import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { IgnoreMatcher, loadIgnoreFile, walkContext } from '../../../src/dockerfile/ignore';

describe('dockerfile ignore: context walker and ignore files', () => {
  let root: string;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-ctx-'));
    for (const f of ['a.txt', 'docs/readme.md', 'docs/api/x.md', 'node_modules/p/index.js', 'src/main.ts', 'src/main.test.ts']) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.writeFileSync(path.join(root, f), 'x');
    }
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('prunes ignored directories and keeps re-included children with their parents', () => {
    const m = new IgnoreMatcher(['node_modules', 'docs', '!docs/api/x.md', '**/*.test.ts']);
    const seen = [...walkContext(root, m)].map((e) => `${e.path}${e.implicit ? ' (implicit)' : ''}`);
    assert.deepEqual(seen, ['a.txt', 'docs (implicit)', 'docs/api (implicit)', 'docs/api/x.md', 'src', 'src/main.ts']);
  });
  it('does not descend into a pruned directory when no exception could apply', () => {
    const m = new IgnoreMatcher(['node_modules']);
    assert.ok(!m.mayReincludeBelow('node_modules'));
    assert.ok(new IgnoreMatcher(['docs', '!docs/api/x.md']).mayReincludeBelow('docs'));
    assert.ok(!new IgnoreMatcher(['docs', '!src/x']).mayReincludeBelow('docs'));
  });
  it('prefers <Dockerfile>.dockerignore beside the Dockerfile', () => {
    fs.writeFileSync(path.join(root, '.dockerignore'), 'a.txt\n');
    assert.deepEqual(loadIgnoreFile(root, path.join(root, 'Dockerfile')).patterns, ['a.txt']);
    fs.writeFileSync(path.join(root, 'Dockerfile.dockerignore'), '# c\n/src\n!src/main.ts\n');
    const f = loadIgnoreFile(root, path.join(root, 'Dockerfile'));
    assert.equal(f.file, path.join(root, 'Dockerfile.dockerignore'));
    assert.deepEqual(f.patterns, ['src', '!src/main.ts']);
  });
});
