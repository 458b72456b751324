import type { ImageConfig } from '../../oci/manifest';
import type { Platform } from '../../oci/platform';

/** What `planBuild` takes: a Dockerfile and the build's settings; no context, no store, no network. */
export interface PlanBuildOptions {
  dockerfileText: string;
  /** the name errors and the report use (default `Dockerfile`) */
  file?: string;
  buildArgs?: Record<string, string>;
  target?: string;
  /** the target platform (default the host's) */
  platform?: string;
  /**
   * A base image's config when the caller has one at hand (the store); a base
   * it cannot answer is planned without its config (its ENV, WORKDIR, USER,
   * SHELL and ONBUILD triggers are unknown) and listed in `unknownBases`.
   */
  baseConfig?: (ref: string, platform: Platform) => ImageConfig | undefined;
}

/** Where a RUN mount's tree or a COPY's sources come from. */
export type PlannedSource = { kind: 'context' } | { kind: 'stage'; stage: number } | { kind: 'image'; ref: string } | { kind: 'scratch' };

/** One instruction as the build would run it, resolved but not executed. */
export interface PlannedStep {
  line: number;
  /** the instruction, upper case (`RUN`, `COPY`, ...) */
  kind: string;
  /** an ONBUILD trigger of the base image */
  trigger?: boolean;
  /** what the history (or, for layer steps, BuildKit's progress) calls it, variables expanded */
  text: string;
  /** RUN, COPY, ADD and WORKDIR make (or may make) a layer */
  layer: boolean;
  /** the instruction's arguments and flags as resolved (kind-specific; JSON-safe) */
  resolved: Record<string, unknown>;
}

export interface PlannedStageReport {
  index: number;
  name?: string;
  /** whether the target reaches it (only those are built) */
  built: boolean;
  base:
    | { kind: 'scratch' }
    | { kind: 'stage'; stage: number }
    | { kind: 'image'; ref: string; platform?: string; configKnown: boolean };
  platform: string;
  steps: PlannedStep[];
  /** for a stage the target does not reach: what would fail if it were built (BuildKit does not expand such stages) */
  problems: string[];
}

export interface BuildPlanReport {
  file: string;
  target: number;
  /** the stages to build, each after what it needs */
  order: number[];
  stages: PlannedStageReport[];
  /** global ARGs as FROM lines see them */
  globalArgs: Record<string, string>;
  /** secret ids RUN mounts ask for (`required` ones marked) */
  secrets: { id: string; required: boolean }[];
  /** ssh ids RUN mounts ask for (and `default` for an ADD from an ssh git remote) */
  ssh: { id: string; required: boolean }[];
  /** what the build needs to be allowed (`security.insecure`, `network.host`, devices) */
  entitlements: string[];
  /** base images planned without their config */
  unknownBases: string[];
  /** SOURCE_DATE_EPOCH the build would use (seconds), when set */
  sourceDateEpoch?: number;
}
