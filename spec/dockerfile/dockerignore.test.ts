import { strict as assert } from 'node:assert';
import { isHoistError } from '../../src/errors';
import { IgnoreMatcher, readIgnoreFile } from '../../src/dockerfile/ignore';
import { describeConformance, readJSON } from './conformance-data';

interface IgnoreCase {
  id: string;
  patterns: string[];
  path: string;
  match?: boolean;
  error?: boolean;
  platform?: string;
}
interface IgnoreData {
  cases: IgnoreCase[];
  ignorefile: { input: string | null; patterns: string[] }[];
}

describeConformance('conformance: dockerignore-cases.json', ['dockerignore-cases.json'], () => {
  const data = readJSON<IgnoreData>('dockerignore-cases.json');
  it('has the 154 cases', () => assert.equal(data.cases.length, 154));
  for (const c of data.cases) {
    it(`${c.id}: ${JSON.stringify(c.patterns)} ${c.path}`, () => {
      if (c.error) {
        assert.throws(() => new IgnoreMatcher(c.patterns).matches(c.path), (err: unknown) => isHoistError(err, 'DOCKERFILE_IGNORE_PATTERN'));
        return;
      }
      assert.equal(new IgnoreMatcher(c.patterns).matches(c.path), c.match);
    });
  }
  for (const [i, f] of data.ignorefile.entries()) {
    it(`ignorefile ${i}: reading rules`, () => assert.deepEqual(f.input === null ? [] : readIgnoreFile(f.input), f.patterns));
  }
});
