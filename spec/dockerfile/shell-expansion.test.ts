import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../src/errors';
import { envFrom, expandWord, expandWords } from '../../src/dockerfile/shell';
import { BUILDKIT_DF, describeConformance, readJSON } from './conformance-data';

interface ShellCase {
  id: string;
  input: string;
  env: Record<string, string>;
  expected?: string;
  error?: boolean;
  errorContains?: string;
  matches?: string[];
  unmatched?: string[];
}

const isExpansionError = (err: unknown): boolean => isHoistError(err, 'DOCKERFILE_EXPANSION');

describeConformance('conformance: shell-expansion-cases.json', ['shell-expansion-cases.json'], () => {
  const { cases } = readJSON<{ cases: ShellCase[] }>('shell-expansion-cases.json');
  it('has the 71 cases', () => assert.equal(cases.length, 71));
  for (const c of cases) {
    it(`${c.id}: ${c.input}`, () => {
      const env = envFrom(c.env);
      if (c.error) {
        assert.throws(
          () => expandWord(c.input, env),
          (err: unknown) => isExpansionError(err) && (c.errorContains === undefined || (err as Error).message.includes(c.errorContains)),
        );
        return;
      }
      const r = expandWord(c.input, env);
      assert.equal(r.result, c.expected);
      assert.deepEqual(r.matched, [...(c.matches ?? [])].sort());
      assert.deepEqual(r.unmatched, [...(c.unmatched ?? [])].sort());
    });
  }
});

describeConformance('conformance: BuildKit envVarTest (ProcessWord)', ['buildkit/frontend/dockerfile/shell/envVarTest'], () => {
  const vars = { PWD: '/home', SHELL: 'bash', KOREAN: '한국어', NULL: '' };
  const unixEnv = envFrom(vars);
  const windowsEnv = { get: (k: string) => unixEnv.get(k.toUpperCase()), keys: () => unixEnv.keys() };
  const lines = fs.readFileSync(path.join(BUILDKIT_DF, 'shell', 'envVarTest'), 'utf8').split('\n');
  const cases = lines.map((l, i) => ({ l, n: i + 1 })).filter(({ l }) => l.trim() !== '' && !l.startsWith('#'));
  it('has the 230 lines', () => assert.equal(cases.length, 230));
  for (const { l, n } of cases) {
    const [platform, input, expected] = l.split('|').map((s) => s.trim()) as [string, string, string];
    // W lines describe Windows, where names are case-insensitive (NormalizeEnvKey upper-cases).
    const env = platform === 'W' ? windowsEnv : unixEnv;
    it(`line ${n} (${platform}): ${input}`, () => {
      if (expected === 'error') {
        assert.throws(() => expandWord(input, env), isExpansionError);
      } else {
        assert.equal(expandWord(input, env).result, expected ?? '');
      }
    });
  }
});

describeConformance('conformance: BuildKit wordsTest (ProcessWords)', ['buildkit/frontend/dockerfile/shell/wordsTest'], () => {
  const lines = fs.readFileSync(path.join(BUILDKIT_DF, 'shell', 'wordsTest'), 'utf8').split('\n');
  const vars = new Map<string, string>();
  let count = 0;
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('ENV ')) {
      const kv = line.slice(4).replace(/^ +/, '');
      const eq = kv.indexOf('=');
      vars.set(kv.slice(0, eq), kv.slice(eq + 1));
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    count++;
    const sep = line.indexOf('|');
    const input = line.slice(0, sep).trim();
    const expected = line.slice(sep + 1).replace(/^ +/, '');
    const env = envFrom(new Map(vars));
    it(`line ${i + 1}: ${input}`, () => {
      if (expected === 'error') assert.throws(() => expandWords(input, env), isExpansionError);
      else assert.deepEqual(expandWords(input, env).words, expected.split(','));
    });
  }
  it('has the 24 cases', () => assert.equal(count, 24));
});
