import type { CheckResult } from './context';
import type { CheckWarning } from './linter';

/** BuildKit's LintFormatShort: `RuleName: message (line N)`. */
export function formatWarningShort(w: CheckWarning): string {
  return `${w.rule}: ${w.message}${w.line > 0 ? ` (line ${w.line})` : ''}`;
}

/** The warnings as `docker build` prints them, one `WARN: ...` line each. */
export function formatCheckText(result: CheckResult): string {
  const lines = result.warnings.map((w) => `WARN: ${formatWarningShort(w)}`);
  if (result.failed) lines.push(`ERROR: lint violation found for rules: ${[...new Set(result.warnings.map((w) => w.rule))].join(', ')}`);
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

/** The warnings as JSON (shaped like `docker build --check --progress rawjson` lint results). */
export function formatCheckJSON(result: CheckResult, file: string): string {
  return (
    JSON.stringify(
      {
        warnings: result.warnings.map((w) => ({
          ruleName: w.rule,
          description: w.description,
          ...(w.url ? { url: w.url } : {}),
          detail: w.message,
          location: { file, start: { line: w.line }, end: { line: w.endLine } },
        })),
        failed: result.failed,
      },
      null,
      2,
    ) + '\n'
  );
}
