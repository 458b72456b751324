import * as fs from 'node:fs';
import * as path from 'node:path';
import { skipWith } from '../../test/helpers/capabilities';
import { FETCHED_CONFORMANCE_DIR, REPO_ROOT } from '../../test/helpers/paths';

/**
 * The conformance corpus (BuildKit's Dockerfile test files, the derived
 * expansion and .dockerignore cases, the realworld Dockerfiles): from
 * HOIST_CONFORMANCE_DIR when set, else `../shared/conformance` beside the
 * checkout, else `.conformance/` (what `npm run fetch-conformance` writes).
 */
function locate(): { dir?: string; why: string } {
  const fromEnv = process.env.HOIST_CONFORMANCE_DIR;
  if (fromEnv !== undefined && fromEnv !== '') {
    const dir = path.resolve(fromEnv);
    return fs.existsSync(dir) ? { dir, why: `HOIST_CONFORMANCE_DIR=${dir}` } : { why: `HOIST_CONFORMANCE_DIR=${dir} does not exist` };
  }
  for (const dir of [path.resolve(REPO_ROOT, '..', 'shared', 'conformance'), FETCHED_CONFORMANCE_DIR]) {
    if (fs.existsSync(dir)) return { dir, why: dir };
  }
  return { why: 'no conformance corpus: set HOIST_CONFORMANCE_DIR, put it at ../shared/conformance, or run `npm run fetch-conformance` (BuildKit\'s test files only; needs the internet)' };
}

const found = locate();

/** The corpus directory, when there is one. */
export const CONFORMANCE: string | undefined = found.dir;
/** BuildKit's frontend/dockerfile test data inside the corpus. */
export const BUILDKIT_DF = path.join(CONFORMANCE ?? '', 'buildkit', 'frontend', 'dockerfile');

export function readJSON<T>(rel: string): T {
  return JSON.parse(fs.readFileSync(path.join(CONFORMANCE ?? '', rel), 'utf8')) as T;
}

const skipped: { title: string; missing: string[] }[] = [];

/** One stand-in suite for every suite whose data is absent: it prints one reason and counts as one skip. */
function registerSkip(title: string, missing: string[]): void {
  skipped.push({ title, missing });
  if (skipped.length > 1) return;
  describe('conformance: suites whose data is absent', () => {
    before(function () {
      const what = skipped.map((s) => s.title.replace(/^conformance: /, '')).join('; ');
      const reason = CONFORMANCE === undefined ? found.why : `not in the corpus at ${CONFORMANCE}: ${[...new Set(skipped.flatMap((s) => s.missing))].join(', ')}`;
      skipWith(this, `${skipped.length} conformance suite(s) (${what}): ${reason}`);
    });
    it('runs the conformance suites', () => undefined);
  });
}

/**
 * A conformance suite over corpus files (paths relative to the corpus): its
 * body runs only when they are all there; otherwise it is skipped, with the
 * other absent suites, under one printed reason. Nothing is read at load
 * time without the corpus, so a clone without it loads and runs.
 */
export function describeConformance(title: string, needs: readonly string[], body: () => void): void {
  const missing = CONFORMANCE === undefined ? [...needs] : needs.filter((rel) => !fs.existsSync(path.join(CONFORMANCE, rel)));
  if (missing.length > 0) registerSkip(title, missing);
  else describe(title, body);
}
