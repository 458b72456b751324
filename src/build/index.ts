/** The builder: `build(store, options)` — see README.md. */
export { build } from './build';
export type { BuildOptions, BuildResult, BuildEvent, BuildOutput, SecretSource, Entitlement } from './types';
export { ENTITLEMENTS } from './types';
export { BuildCache, cacheKey, CACHE_SCHEMA, type CacheRecord } from './cache/build-cache';
export { planStages, type BuildPlan, type PlannedStage } from './plan/plan-stages';
export { parseOutputSpec } from './output/parse-output';
export { planBuild } from './plan/plan-build';
export type { BuildPlanReport, PlanBuildOptions, PlannedStageReport, PlannedStep, PlannedSource } from './plan/plan-types';
export { parseCacheImport, parseCacheExport, type CacheImport, type CacheExport } from './cache/remote/cache-spec';
