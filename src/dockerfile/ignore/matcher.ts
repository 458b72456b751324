import { DockerfileError } from '../../errors';
import { FrontendFailure } from '../errors';
import { cleanPath, dirOf } from './clean-path';
import { IgnorePattern, validateGlob } from './pattern';

/**
 * The .dockerignore matcher (moby/patternmatcher): patterns in order, `!`
 * re-includes, the last pattern that applies wins, and a path is excluded when
 * it or one of its parent directories matches.
 */
export class IgnoreMatcher {
  readonly patterns: IgnorePattern[] = [];
  /** whether any `!` pattern exists (then excluded directories may hold included files) */
  readonly hasExclusions: boolean;

  constructor(patterns: readonly string[]) {
    let exclusions = false;
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new DockerfileError('DOCKERFILE_IGNORE_PATTERN', 'illegal exclusion pattern: "!"', { pattern: raw });
        exclusion = true;
        exclusions = true;
        p = p.slice(1);
      }
      try {
        validateGlob(p);
        this.patterns.push(new IgnorePattern(p, exclusion));
      } catch (err) {
        if (err instanceof FrontendFailure) throw new DockerfileError('DOCKERFILE_IGNORE_PATTERN', err.message, { pattern: raw });
        throw err;
      }
    }
    this.hasExclusions = exclusions;
  }

  /** Is this slash-separated context-relative path excluded (MatchesOrParentMatches)? */
  matches(file: string): boolean {
    let prefixes: string[] | undefined;
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match) {
        prefixes ??= parentPrefixes(file);
        for (const prefix of prefixes) {
          if (pattern.match(prefix)) {
            match = true;
            break;
          }
        }
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Could an exclusion pattern re-include something below this excluded
   * directory? When not, a walker may skip the whole directory.
   */
  mayReincludeBelow(dir: string): boolean {
    if (!this.hasExclusions) return false;
    const segs = dir.split('/');
    return this.patterns.some((p) => p.exclusion && couldMatchUnder(p.dirs, segs));
  }
}

const NEEDS_CLEAN = /\/\/|(^|\/)\.\.?(\/|$)|\/$/;

/** `a`, `a/b` for `a/b/c` (the parents patternmatcher tries); none for a top-level path. */
function parentPrefixes(file: string): string[] {
  const parent = NEEDS_CLEAN.test(file) ? dirOf(file) : file.lastIndexOf('/') < 0 ? '.' : file.slice(0, file.lastIndexOf('/'));
  if (parent === '.') return [];
  const out: string[] = [];
  for (let i = parent.indexOf('/'); i >= 0; i = parent.indexOf('/', i + 1)) out.push(parent.slice(0, i));
  out.push(parent);
  return out;
}

function couldMatchUnder(patternDirs: string[], dirSegs: string[]): boolean {
  for (let i = 0; i < dirSegs.length; i++) {
    const pd = patternDirs[i];
    if (pd === undefined) return false;
    if (pd.includes('**')) return true;
    if (!new IgnorePattern(pd, false).match(dirSegs[i]!)) return false;
  }
  return patternDirs.length > dirSegs.length;
}
