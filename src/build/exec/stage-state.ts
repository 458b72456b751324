import type { Descriptor } from '../../oci/descriptor';
import type { Digest } from '../../oci/digest';
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../../oci/manifest';
import type { Platform } from '../../oci/platform';
import { DEFAULT_PATH } from '../../dockerfile/checks/context';
import type { EnvGetter } from '../../dockerfile/shell/env';

export interface LayerRef {
  descriptor: Descriptor;
  diffId: Digest;
}

/**
 * What a stage is while it is built (BuildKit's dispatchState): the image
 * config being written, its layers and top snapshot, and the environment
 * words expand against and RUN sees (ENV plus ARGs in scope, which never
 * reach the image).
 */
export interface StageState {
  config: ImageConfig & { config: ContainerConfig; history: HistoryEntry[] };
  layers: LayerRef[];
  /** the chainID of `layers` (undefined: no layers) */
  chainId?: Digest;
  /**
   * What made the rootfs: the last layer step's cache key (the base's chainID
   * until then; `rootIdOf`). Cache keys chain on it, not on the parent's
   * bytes, so a step's key is the same on every machine given the same
   * commit even where an earlier layer is not byte-identical (a COPY keeps the
   * checkout's mtimes): what BuildKit's keys chain on, too.
   */
  cacheId?: Digest;
  /** ENV and ARG values in scope, in BuildKit's order (a redefinition keeps its place) */
  env: Map<string, string>;
  /** ARGs declared in this stage, in order (RUN's history shows them as `|N K=V`) */
  args: { key: string; value?: string }[];
  /** CMD was set in this stage (ENTRYPOINT then keeps it) */
  cmdSet: boolean;
  /** when each layer of this stage was made (for history), by layer index */
  layerCreated: Map<number, string>;
  /**
   * how many history entries come from the image the stage chain started
   * from (BuildKit's baseImg): SOURCE_DATE_EPOCH leaves their times alone
   */
  baseHistory: number;
}

function cloneConfig(c: ImageConfig): StageState['config'] {
  const copy = JSON.parse(JSON.stringify(c)) as StageState['config'];
  copy.config ??= {};
  copy.history ??= [];
  return copy;
}

function parseEnvList(list: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const kv of list) {
    const i = kv.indexOf('=');
    env.set(i < 0 ? kv : kv.slice(0, i), i < 0 ? '' : kv.slice(i + 1));
  }
  return env;
}

/**
 * A stage on an image (or another stage's result): its config and layers,
 * PATH always set. `baseHistory` defaults to the image's whole history (a
 * stage on another stage passes that stage's).
 */
export function stateFromImage(
  config: ImageConfig,
  layers: LayerRef[],
  chainId: Digest | undefined,
  layerCreated?: ReadonlyMap<number, string>,
  baseHistory = config.history?.length ?? 0,
  cacheId?: Digest,
): StageState {
  const c = cloneConfig(config);
  const envList = c.config.Env ?? [];
  if (!envList.some((kv) => kv.startsWith('PATH='))) c.config.Env = [...envList, `PATH=${DEFAULT_PATH}`];
  const st: StageState = { config: c, layers: [...layers], env: parseEnvList(c.config.Env ?? []), args: [], cmdSet: false, layerCreated: new Map(layerCreated), baseHistory };
  if (chainId !== undefined) st.chainId = chainId;
  if (cacheId !== undefined) st.cacheId = cacheId;
  return st;
}

/** The identity of a stage's rootfs for cache keys: what made it (`cacheId`), else its chainID; undefined for an empty one. */
export function rootIdOf(st: StageState): Digest | undefined {
  return st.cacheId ?? st.chainId;
}

/** `FROM scratch` (BuildKit's emptyImage): no layers, WorkingDir /, PATH set. */
export function scratchState(platform: Platform): StageState {
  const config: ImageConfig = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Env: [`PATH=${DEFAULT_PATH}`], WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [] },
    history: [],
  };
  return stateFromImage(config, [], undefined);
}

export function envGetter(st: StageState): EnvGetter {
  return { get: (k) => st.env.get(k), keys: () => [...st.env.keys()] };
}

/** ENV k=v: the environment and the image's Env (replaced in place, else appended). */
export function setEnv(st: StageState, key: string, value: string): void {
  st.env.set(key, value);
  const list = st.config.config.Env ?? [];
  const i = list.findIndex((kv) => kv === key || kv.startsWith(`${key}=`));
  if (i >= 0) list[i] = `${key}=${value}`;
  else list.push(`${key}=${value}`);
  st.config.config.Env = list;
}

/** The process environment of RUN: everything in scope, `K=V`, in order. */
export function processEnv(st: StageState): string[] {
  return [...st.env].map(([k, v]) => `${k}=${v}`);
}

/**
 * `|N K=V ...` before a RUN's command in its history (BuildKit's
 * runCommandString): every ARG the stage declared, in order, with its current
 * value; Docker 20.10's BuildKit lists a redeclared ARG once per declaration.
 */
export function runCommandString(args: readonly string[], st: StageState): string {
  const pairs = st.args.map((a) => `${a.key}=${st.env.get(a.key) ?? a.value ?? ''}`);
  const prefix = pairs.length > 0 ? [`|${pairs.length}`, ...pairs] : [];
  return [...prefix, ...args].join(' ');
}
