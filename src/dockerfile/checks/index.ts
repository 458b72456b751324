export { RULES, MESSAGES, type CheckRule, type RuleName } from './rules';
export { parseCheckOptions, Linter, type CheckConfig, type CheckWarning } from './linter';
export type { CheckOptions, CheckResult, BaseImageInfo } from './context';
export { checkDockerfile, checkFailure } from './run-checks';
export { formatCheckText, formatCheckJSON, formatWarningShort } from './format';
export { runCheck, type RunCheckOptions, type RunCheckOutcome } from './run-check';
