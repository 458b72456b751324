import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { isHoistError } from '../../../src/errors';
import { checkDockerfile, expandWord, envFrom, IgnoreMatcher, parseDockerfile, runCheck } from '../../../src/dockerfile';

const PIECES = ['FROM ', 'RUN ', 'COPY ', 'ADD ', 'ENV ', 'ARG ', 'LABEL ', 'ONBUILD ', 'HEALTHCHECK ', 'CMD ', 'EXPOSE ', 'SHELL ', 'USER ',
  '--mount=', '--from=', '--chmod=', '--platform=', 'type=cache', ',', '=', ' AS ', '"', "'", '\\', '`', '\n', '\\\n', '#', '# escape=`\n',
  '# syntax=x\n', '<<EOF', '<<-"E"', 'EOF\n', '[', ']', '["a", 1]', '${', '}', '$', ':-', '#', '%', '/', '*', '?', ' ', '\t', 'x', 'é', '\ufeff', '__proto__', 'constructor', 'toString'];

const isCoded = (err: unknown): boolean => isHoistError(err) && err.code.startsWith('DOCKERFILE_');
const text = fc.oneof(fc.string({ maxLength: 200 }), fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((a) => a.join('')));

describe('dockerfile property: never anything but coded errors', () => {
  it('Object.prototype names are not instructions, flags or options (regression)', () => {
    const inputs = ['__proto__', 'constructor x', 'toString', 'FROM a\nONBUILD __proto__ x', 'FROM a\nHEALTHCHECK --__proto__=1 CMD x',
      '# check=skip=__proto__\nFROM a', 'FROM a\nRUN --mount=__proto__=1 x', 'FROM a\nCOPY --constructor=1 a b', 'FROM a\nHEALTHCHECK --interval=1__proto__ CMD x'];
    for (const t of inputs) {
      try {
        checkDockerfile(parseDockerfile(t));
      } catch (err) {
        assert.ok(isCoded(err), `${JSON.stringify(t)}: uncoded: ${String((err as Error).stack)}`);
      }
    }
  });
  it('parseDockerfile (and the checks after it) throw only DOCKERFILE_* errors', () => {
    fc.assert(
      fc.property(text, (t) => {
        try {
          checkDockerfile(parseDockerfile(t));
        } catch (err) {
          assert.ok(isCoded(err), `uncoded: ${String((err as Error).stack)}`);
        }
      }),
      { numRuns: 1500 },
    );
  });
  it('expandWord throws only DOCKERFILE_EXPANSION', () => {
    fc.assert(
      fc.property(text, (t) => {
        try {
          expandWord(t, envFrom({ A: 'a b', B: '' }));
        } catch (err) {
          assert.ok(isHoistError(err, 'DOCKERFILE_EXPANSION'), String(err));
        }
      }),
      { numRuns: 1500 },
    );
  });
  it('the ignore matcher throws only DOCKERFILE_IGNORE_PATTERN', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 }), fc.string({ maxLength: 20 }), (patterns, p) => {
        try {
          new IgnoreMatcher(patterns).matches(p);
        } catch (err) {
          assert.ok(isHoistError(err, 'DOCKERFILE_IGNORE_PATTERN'), String(err));
        }
      }),
      { numRuns: 1000 },
    );
  });
  it('runCheck on a missing file is data, not an exception', () => {
    assert.equal(runCheck({ dockerfilePath: '/nonexistent/Dockerfile' }).error?.code, 'DOCKERFILE_NOT_FOUND');
  });
});
