import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../src/errors';
import { dumpNode, parseSyntax } from '../../src/dockerfile/syntax';
import { BUILDKIT_DF, describeConformance } from './conformance-data';

const PARSER_REL = 'buildkit/frontend/dockerfile/parser';
const PARSER = path.join(BUILDKIT_DF, 'parser');
const dirs = (p: string): string[] => fs.readdirSync(p).filter((d) => fs.statSync(path.join(p, d)).isDirectory()).sort();

describeConformance('conformance: BuildKit parser test files', [`${PARSER_REL}/testfiles`], () => {
  const cases = dirs(path.join(PARSER, 'testfiles'));
  it('has the 33 cases', () => assert.equal(cases.length, 33));
  for (const name of cases) {
    it(`dumps ${name} byte for byte`, () => {
      const dir = path.join(PARSER, 'testfiles', name);
      const res = parseSyntax(fs.readFileSync(path.join(dir, 'Dockerfile')));
      const expected = fs.readFileSync(path.join(dir, 'result'), 'utf8');
      assert.equal(dumpNode(res.ast) + '\n', expected);
    });
  }
});

describeConformance('conformance: BuildKit negative parser cases', [`${PARSER_REL}/testfiles-negative`], () => {
  const cases = dirs(path.join(PARSER, 'testfiles-negative'));
  it('has the 4 cases', () => assert.equal(cases.length, 4));
  for (const name of cases) {
    it(`refuses ${name} with a coded error`, () => {
      const text = fs.readFileSync(path.join(PARSER, 'testfiles-negative', name, 'Dockerfile'));
      assert.throws(
        () => parseSyntax(text),
        (err: unknown) => isHoistError(err) && err.code.startsWith('DOCKERFILE_') && typeof err.details.line === 'number',
      );
    });
  }
});

describeConformance('conformance: BuildKit testfile-line', [`${PARSER_REL}/testfile-line/Dockerfile`], () => {
  it('places the root and its 3 children on the right lines', () => {
    const res = parseSyntax(fs.readFileSync(path.join(PARSER, 'testfile-line', 'Dockerfile')));
    assert.deepEqual([res.ast.startLine, res.ast.endLine], [5, 31]);
    assert.deepEqual(
      res.ast.children.map((c) => [c.startLine, c.endLine]),
      [
        [5, 5],
        [11, 12],
        [17, 31],
      ],
    );
  });
});
