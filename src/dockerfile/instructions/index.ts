export * from './types';
export * from './instruction';
export { parseInstruction } from './parse-instruction';
export { parseStages, type Stage, type StagesResult } from './stages';
export { expandInstruction, type ExpandedInstruction } from './expand-instruction';
export { AUTOMATIC_PLATFORM_ARGS, PROXY_ARGS, NON_ENV_ARGS, defaultPlatformArgs, resolveGlobalArgs } from './args';
export { parseChmod, parseChown, sourceKind, isGitSource } from './copy-values';
export { parseMount, parseDevice } from './mount';
export { parseDuration } from './values';
