// The library surface of hoist, by area (imports point downward only).
export * as errors from './errors';
export * as oci from './oci';
export * as stream from './stream';
export * as progress from './progress';
export * as store from './store';
export * as image from './image';
export { build, planBuild, type BuildOptions, type BuildResult, type BuildEvent, type BuildOutput, type BuildPlanReport, type PlanBuildOptions } from './build';
