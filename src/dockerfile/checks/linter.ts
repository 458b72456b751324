import { FrontendFailure } from '../errors';
import { DirectiveParser } from '../syntax/directives';
import { RULES, type RuleName } from './rules';

/** Options of the `# check=` directive (ParseLintOptions). */
export interface CheckConfig {
  skipAll: boolean;
  skip: string[];
  experimentalAll: boolean;
  experimental: string[];
  /** `error=true`: violations fail the build */
  error: boolean;
}

export const DEFAULT_CHECK_CONFIG: CheckConfig = { skipAll: false, skip: [], experimentalAll: false, experimental: [], error: false };

const list = (v: string): string[] => v.split(',').map((s) => s.trim());

/** Parse `skip=A,B;error=true;experimental=all`. */
export function parseCheckOptions(text: string): CheckConfig {
  const cfg: CheckConfig = { ...DEFAULT_CHECK_CONFIG, skip: [], experimental: [] };
  const t = text.trim();
  if (t === '') return cfg;
  for (const part of t.split(';').slice(0, 3)) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new FrontendFailure('DOCKERFILE_DIRECTIVE', `invalid check option ${JSON.stringify(part)}`, 'write # check=skip=<rules>;error=true');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 'skip') {
      if (v === 'all') cfg.skipAll = true;
      else cfg.skip = list(v);
    } else if (k === 'experimental') {
      if (v === 'all') cfg.experimentalAll = true;
      else cfg.experimental = list(v);
    } else if (k === 'error') {
      if (!['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) {
        throw new FrontendFailure('DOCKERFILE_DIRECTIVE', `failed to parse check option ${JSON.stringify(part)}`);
      }
      cfg.error = ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
    } else {
      throw new FrontendFailure('DOCKERFILE_DIRECTIVE', `invalid check option ${JSON.stringify(k)}`);
    }
  }
  return cfg;
}

function merge(a: CheckConfig, b: CheckConfig): CheckConfig {
  return {
    skipAll: a.skipAll || b.skipAll,
    skip: [...a.skip, ...b.skip],
    experimentalAll: a.experimentalAll || b.experimentalAll,
    experimental: [...a.experimental, ...b.experimental],
    error: a.error,
  };
}

/** A violation found by a build check. */
export interface CheckWarning {
  rule: RuleName;
  description: string;
  url?: string;
  message: string;
  /** 1-based lines (start and end) */
  line: number;
  endLine: number;
}

/** Collects violations, honouring skip/experimental settings (BuildKit's Linter). */
export class Linter {
  constructor(
    readonly config: CheckConfig,
    private readonly sink: CheckWarning[],
  ) {}

  run(rule: RuleName, at: { line: number; endLine?: number }, message: string): void {
    const r = RULES[rule];
    if ('experimental' in r && r.experimental) {
      if (!this.config.experimentalAll && !this.config.experimental.includes(rule)) return;
    } else if (this.config.skipAll || this.config.skip.includes(rule)) return;
    this.sink.push({ rule, description: r.description, ...('url' in r ? { url: r.url } : {}), message, line: at.line, endLine: at.endLine ?? at.line });
  }

  /** A linter with the settings of a `# check=` comment above an instruction merged in. */
  withComments(comments: readonly string[]): Linter {
    for (const c of comments) {
      const d = new DirectiveParser('').parseLine(c);
      if (!d || d.name !== 'check') continue;
      try {
        return new Linter(merge(this.config, parseCheckOptions(d.value.split(' ')[0]!)), this.sink);
      } catch {
        return this;
      }
    }
    return this;
  }
}
