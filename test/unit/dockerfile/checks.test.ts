import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePlatform } from '../../../src/oci';
import { checkDockerfile, formatCheckJSON, formatCheckText, RULES, runCheck, type RuleName } from '../../../src/dockerfile/checks';
import { parseDockerfile } from '../../../src/dockerfile/parse-dockerfile';
import { REPO_ROOT } from '../../helpers/paths';

const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'dockerfile', 'checks');

interface Expected {
  line: number;
  message: string;
  targetPlatform?: string;
  imagePlatform?: string;
}

describe('dockerfile checks: one fixture per BuildKit rule', () => {
  const rules = Object.keys(RULES) as RuleName[];
  it('has the 22 rules of ruleset.go', () => assert.equal(rules.length, 22));
  for (const rule of rules) {
    it(`${rule} fires on its fixture`, () => {
      const dir = path.join(FIXTURES, rule);
      const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Expected;
      const opts = expected.targetPlatform
        ? {
            targetPlatform: parsePlatform(expected.targetPlatform),
            baseImage: () => ({ platform: parsePlatform(expected.imagePlatform!) }),
          }
        : { targetPlatform: parsePlatform('linux/amd64') };
      const outcome = runCheck({ dockerfilePath: path.join(dir, 'Dockerfile'), ...opts });
      assert.equal(outcome.error, undefined, outcome.output);
      const hits = outcome.result!.warnings.filter((w) => w.rule === rule);
      assert.deepEqual(
        hits.map((w) => ({ line: w.line, message: w.message })),
        [{ line: expected.line, message: expected.message }],
        outcome.output,
      );
      assert.equal(outcome.exitCode, 1);
    });
  }
});

describe('dockerfile checks: directive, output and exit status', () => {
  it('honours # check=skip=...;error=true', () => {
    const outcome = runCheck({ dockerfilePath: path.join(FIXTURES, 'skip-and-error', 'Dockerfile') });
    assert.deepEqual(outcome.result!.warnings.map((w) => w.rule), ['MaintainerDeprecated']);
    assert.equal(outcome.result!.failed, true);
    assert.match(outcome.output, /^WARN: MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label \(line 4\)\nERROR: lint violation found for rules: MaintainerDeprecated\n$/);
  });
  it('prints JSON', () => {
    const outcome = runCheck({ dockerfilePath: path.join(FIXTURES, 'JSONArgsRecommended', 'Dockerfile'), format: 'json' });
    const data = JSON.parse(outcome.output) as { warnings: { ruleName: string; location: { start: { line: number } } }[] };
    assert.deepEqual(data.warnings.map((w) => [w.ruleName, w.location.start.line]), [['JSONArgsRecommended', 2]]);
  });
  it('is clean (exit 0) on a tidy Dockerfile', () => {
    const df = parseDockerfile('FROM alpine AS build\nWORKDIR /src\nCOPY . .\nRUN make\nFROM scratch\nCOPY --from=build /src/app /app\nENTRYPOINT ["/app"]\n');
    const r = checkDockerfile(df);
    assert.deepEqual(r.warnings, []);
    assert.equal(formatCheckText(r), '');
    assert.ok(formatCheckJSON(r, 'Dockerfile').includes('"warnings": []'));
  });
  it('reports a parse error as data with exit status 1', () => {
    const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'hoist-check-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM alpine\nCOPPY a b\n');
    const outcome = runCheck({ dockerfilePath: path.join(dir, 'Dockerfile') });
    assert.equal(outcome.exitCode, 1);
    assert.equal(outcome.error?.code, 'DOCKERFILE_UNKNOWN_INSTRUCTION');
    assert.equal(outcome.output, 'Dockerfile:2:1: unknown instruction: COPPY (did you mean COPY?)\n2 | COPPY a b\n    ^\n');
    fs.rmSync(dir, { recursive: true });
  });
});
