import type { ParsedDockerfile } from '../../dockerfile/parse-dockerfile';
import type { Platform } from '../../oci/platform';
import type { Snapshotter } from '../../snapshot/types';
import type { Store } from '../../store/store';
import type { BuildCache } from '../cache/build-cache';
import type { UsedStep } from '../cache/remote/export-graph';
import type { RemoteCache } from '../cache/remote/remote-cache';
import type { EarlyPush } from '../output/early-push';
import type { ContextOps, SourceTree } from '../context/types';
import type { BuildPlan } from '../plan/plan-stages';
import type { ProgressListener } from '../../progress/events';
import type { BuildOptions } from '../types';
import type { LayerBlobs } from './layer-blobs';
import type { SshAgents } from './ssh-agents';
import type { StageState } from './stage-state';

/** What every step of one build shares. */
export interface ExecContext {
  store: Store;
  /** the store's snapshotter, chosen (and its modules loaded) on first use: a fully cached build needs none */
  snapshotter(): Promise<Snapshotter>;
  cache: BuildCache;
  contextOps: ContextOps;
  contextTree: SourceTree;
  options: BuildOptions;
  df: ParsedDockerfile;
  plan: BuildPlan;
  platform: Platform;
  emit: ProgressListener;
  /** each stage's result, started in dependency order */
  stages: Map<number, Promise<StageState>>;
  /** build args a stage declared (for the "not consumed" warning) */
  usedArgs: Set<string>;
  stats: { total: number; cached: number };
  /** the --cache-from caches (undefined: none) */
  remote?: RemoteCache;
  /** every layer step's key and resulting stack, for --cache-to */
  usedSteps: UsedStep[];
  /** --push: layers uploaded as steps make them */
  earlyPush?: EarlyPush;
  /** the blobs of the layers this build made, written while later steps run (`settle` before naming them) */
  layerBlobs: LayerBlobs;
  /** the `--ssh` agents RUN --mount=type=ssh forwards (started on first use, stopped when the build ends) */
  ssh: SshAgents;
  signal?: AbortSignal;
  /** SOURCE_DATE_EPOCH (seconds): history and config times, WORKDIR's directories */
  sourceDateEpoch?: number;
  /** an image output asked for rewrite-timestamp and there is an epoch: layer file times are clamped to it */
  rewriteTimestamp: boolean;
}

/** Whether `--no-cache` / `--no-cache-filter` turn the cache off for a stage. */
export function cacheDisabled(ctx: ExecContext, stageName: string | undefined): boolean {
  if (ctx.options.noCache) return true;
  const filter = ctx.options.noCacheFilter ?? [];
  return stageName !== undefined && filter.some((f) => f.toLowerCase() === stageName);
}
