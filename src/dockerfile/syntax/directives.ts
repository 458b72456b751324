import { FrontendFailure } from '../errors';
import { trimLeftSpace } from '../text';

/** A parser directive found at the top of a Dockerfile (`# syntax=...`). */
export interface Directive {
  name: 'syntax' | 'escape' | 'check';
  value: string;
  /** 1-based line */
  line: number;
}

const VALID = new Set(['syntax', 'escape', 'check']);
// Go's \s is ASCII [\t\n\f\r ]
const DIRECTIVE_RE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^]+?)[\t\n\f\r ]*$/;

/**
 * BuildKit's directive reader: directives are comment lines at the very top,
 * each known name at most once; the first line that is not one ends them.
 */
export class DirectiveParser {
  private line = 0;
  private done = false;
  private readonly seen = new Set<string>();

  constructor(private readonly comment = '#') {}

  /** Read one line; returns the directive it holds, if any. */
  parseLine(text: string): Directive | undefined {
    this.line++;
    if (this.done) return undefined;
    if (!text.startsWith(this.comment)) {
      this.done = true;
      return undefined;
    }
    const body = trimLeftSpace(text.slice(this.comment.length));
    const m = DIRECTIVE_RE.exec(body);
    const name = m?.[1]!.toLowerCase();
    if (!m || !name || !VALID.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new FrontendFailure('DOCKERFILE_DIRECTIVE', `only one ${name} parser directive can be used`);
    this.seen.add(name);
    return { name: name as Directive['name'], value: m[2]!, line: this.line };
  }
}

/** The escape token in force and the continuation test that goes with it. */
export class EscapeState {
  token = '\\';
  private continuation = /([^\\])\\[ \t]*$|^\\[ \t]*$/;

  set(value: string): void {
    if (value !== '`' && value !== '\\') {
      throw new FrontendFailure('DOCKERFILE_DIRECTIVE', `invalid escape token '${value}' does not match \` or \\`, 'use # escape=\\ or # escape=`');
    }
    this.token = value;
    const e = '\\' + value;
    this.continuation = new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
  }

  /** Strip a trailing continuation token: [line, isEndOfLine]. */
  trimContinuation(line: string): [string, boolean] {
    const m = this.continuation.exec(line);
    if (!m) return [line, true];
    return [line.slice(0, m.index) + (m[1] ?? ''), false];
  }
}
