export type { ContextOps, CopyRequest, SelectedSources, SourceTree, Owner, Downloaded } from './types';
export { createContextOps, type ContextOpsOptions } from './context-ops';
export { resolveChown } from './resolve-chown';
export { destPathOf } from './dest-path';
export { applyChmod } from './chmod';
export type { GitOptions, ResolvedGit } from './add-git';
