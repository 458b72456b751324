import * as fs from 'node:fs';
import * as path from 'node:path';
import { DockerfileError, isErrno, isHoistError } from '../../errors';
import { formatDockerfileError } from '../errors';
import { IgnoreMatcher } from '../ignore/matcher';
import { loadIgnoreFile } from '../ignore/read';
import { parseDockerfile } from '../parse-dockerfile';
import type { CheckOptions, CheckResult } from './context';
import { formatCheckJSON, formatCheckText } from './format';
import { checkDockerfile } from './run-checks';

export interface RunCheckOptions extends Omit<CheckOptions, 'ignoreMatcher'> {
  /** default: `Dockerfile` in the context directory */
  dockerfilePath?: string;
  /** default: the Dockerfile's directory */
  contextDir?: string;
  format?: 'text' | 'json';
}

export interface RunCheckOutcome {
  /** 0: no violations; 1: violations or the Dockerfile does not parse */
  exitCode: 0 | 1;
  /** what `hoist check` prints on stdout */
  output: string;
  result?: CheckResult;
  /** the coded error when the Dockerfile cannot be read or parsed */
  error?: DockerfileError;
}

/**
 * `hoist check [-f Dockerfile] [--format json]`: read, parse and check a
 * Dockerfile (with the context's .dockerignore for CopyIgnoredFile). Returns
 * data and an exit status; never throws for a bad Dockerfile.
 */
export function runCheck(opts: RunCheckOptions = {}): RunCheckOutcome {
  const contextDir = opts.contextDir ?? (opts.dockerfilePath ? path.dirname(opts.dockerfilePath) : '.');
  const file = opts.dockerfilePath ?? path.join(contextDir, 'Dockerfile');
  const display = path.basename(file);
  try {
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'EISDIR', 'EACCES')) throw new DockerfileError('DOCKERFILE_NOT_FOUND', `cannot read ${file}: ${(err as Error).message}`, { file }, { cause: err });
      throw err;
    }
    const df = parseDockerfile(text, { file: display });
    const ignore = loadIgnoreFile(contextDir, file);
    const checkOpts: CheckOptions = { ...opts };
    if (ignore.patterns.length > 0) checkOpts.ignoreMatcher = new IgnoreMatcher(ignore.patterns);
    const result = checkDockerfile(df, checkOpts);
    const output = opts.format === 'json' ? formatCheckJSON(result, display) : formatCheckText(result);
    return { exitCode: result.warnings.length > 0 ? 1 : 0, output, result };
  } catch (err) {
    if (!isHoistError(err)) throw err;
    const e = err as DockerfileError;
    const output = opts.format === 'json' ? JSON.stringify({ error: { code: e.code, message: e.message, details: e.details } }, null, 2) + '\n' : formatDockerfileError(e) + '\n';
    return { exitCode: 1, output, error: e };
  }
}
