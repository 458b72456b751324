import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompareSection } from './image-compare';
import { REPO_ROOT } from './paths';

/** One build: the flags both builders get (docker's names). */
export interface BuildStep {
  /** Dockerfile name in the case directory (default `Dockerfile`) */
  dockerfile?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** more flags for both builders, e.g. ["--no-cache"]; `{case}` stands for the case's directory */
  flags?: string[];
  /** the tag a `before` step's result gets (for a later FROM) */
  tag?: string;
}

/** What a case asserts on an image by itself (for cases docker cannot build, and as a check of docker's result). */
export interface Expectation {
  /** path (no leading slash) -> fields; mode in octal as a string ("0755") */
  files?: Record<string, { type?: string; mode?: string; uid?: number; gid?: number; content?: string; linkname?: string; xattrs?: Record<string, string> }>;
  absent?: string[];
  /** config fields (docker's names), compared as canonical JSON; null means absent */
  config?: Record<string, unknown>;
  /** created_by of the image's last history entries, in order */
  historyTail?: string[];
  /** number of layers */
  layers?: number;
}

/** `fixtures/build/<name>/case.json`, as read. */
export interface BuildCase extends BuildStep {
  name: string;
  dir: string;
  description: string;
  /** built first, each tagged, by the same builder (ONBUILD bases) */
  before?: BuildStep[];
  /** sections to compare (default all) */
  compare?: CompareSection[];
  /** regex sources of paths left out of the comparison, each with its reason in `why` */
  ignorePaths?: string[];
  /**
   * comparer lines accepted, each with why (Docker 20.10 predates current
   * BuildKit there, and hoist follows current BuildKit); printed, not failed
   */
  knownDifferences?: { line: string; why: string }[];
  /** false: Debian's Docker 20.10 cannot build it (newer syntax); `expect` is the reference */
  docker?: boolean;
  why?: string;
  expect?: Expectation;
}

export const CASES_DIR = path.join(REPO_ROOT, 'fixtures', 'build');

/** Every case under fixtures/build, sorted by name. */
export function loadBuildCases(dir = CASES_DIR): BuildCase[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'case.json')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const caseDir = path.join(dir, name);
      const raw = JSON.parse(fs.readFileSync(path.join(caseDir, 'case.json'), 'utf8')) as Omit<BuildCase, 'name' | 'dir'>;
      return { ...raw, name, dir: caseDir };
    });
}

/** The flags for `docker build` / `hoist build` of one step (context and tags added by the caller). */
export function stepFlags(c: BuildCase, step: BuildStep): string[] {
  const args = ['-f', path.join(c.dir, step.dockerfile ?? 'Dockerfile')];
  for (const [k, v] of Object.entries(step.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  if (step.target !== undefined) args.push('--target', step.target);
  // `{case}` in a flag is the case's directory (e.g. `--secret id=tok,src={case}/secret.txt`)
  return [...args, ...(step.flags ?? []).map((f) => f.split('{case}').join(c.dir))];
}
