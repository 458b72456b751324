import type { Readable } from 'node:stream';
import type { Digest } from '../oci/digest';
import type { CheckWarning } from '../dockerfile/checks/linter';
import type { BuildEvent, ProgressListener } from '../progress/events';
import type { BuildPlanReport } from './plan/plan-types';
import type { CacheExport, CacheImport } from './cache/remote/cache-spec';

export type { CacheExport, CacheImport };

export type { BuildEvent };

/**
 * Where a build's result goes besides (or instead of) the store's tags.
 * `rewriteTimestamp` (BuildKit's `rewrite-timestamp=`, image outputs): whether file times in
 * the layers the build writes are clamped to SOURCE_DATE_EPOCH. Unset, they are clamped whenever
 * an epoch is set; `false` keeps them as BuildKit does by default (only the config, history and
 * WORKDIR's directories dated).
 */
export type BuildOutput = (
  | { type: 'image' }
  | { type: 'docker'; dest: string }
  | { type: 'oci'; dest: string }
  | { type: 'local'; dest: string }
) & { rewriteTimestamp?: boolean };

export interface BuildOptions {
  /** the context directory (a `-` context is unpacked to a temp dir by the caller) */
  context: string;
  /** the Dockerfile: a path (default CONTEXT/Dockerfile) ... */
  dockerfile?: string;
  /** ... or its text (`-f -`, or a bare Dockerfile on stdin) */
  dockerfileText?: string;
  /** full or familiar references (`app`, `reg:5000/app:1`) */
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  /** stages whose steps never hit the cache */
  noCacheFilter?: string[];
  /** resolve FROM images in their registry even when the store has them */
  pull?: boolean;
  /** RUN's network (default host: no bridge is set up here; see docs/build.md) */
  network?: 'host' | 'none';
  labels?: Record<string, string>;
  /** the target platform (default the host's; only the host's can RUN) */
  platform?: string;
  outputs?: BuildOutput[];
  /** only run the build checks */
  checkOnly?: boolean;
  /** plan the build (stage graph, every instruction resolved) and run the checks; execute nothing, pull nothing */
  dryRun?: boolean;
  signal?: AbortSignal;
  /** build steps, and the transfers of base images pulled for it */
  onProgress?: ProgressListener;
  /**
   * `--secret`: secret id -> where its value is, for `RUN --mount=type=secret`:
   * a file (a plain string is a file path) or an environment variable of `env`
   * (read when a RUN uses it; never stored, logged or put in a cache key)
   */
  secrets?: Record<string, SecretSource>;
  /**
   * `--ssh`: ssh id -> agent socket or private key files, for `RUN
   * --mount=type=ssh` (an empty list: `SSH_AUTH_SOCK` of `env`)
   */
  ssh?: Record<string, string[]>;
  /** `--allow`: entitlements (`security.insecure` lets `RUN --security=insecure` run privileged) */
  allow?: Entitlement[];
  /** registry client settings for FROM pulls */
  insecureRegistries?: string[];
  env?: NodeJS.ProcessEnv;
  /** `--cache-from`: caches other machines made (a missing or broken one is a warning) */
  cacheFrom?: CacheImport[];
  /** `--cache-to`: where to leave this build's cache */
  cacheTo?: CacheExport[];
  /** `--push`: push every tag to its registry after the build */
  push?: boolean;
  /** stdin for a `-` context (a tar) — read by the CLI, not here */
  stdin?: Readable;
}

/** Where a build secret's value is: a file, or an environment variable (docker's `--secret id=,src=|env=`). */
export type SecretSource = string | { file: string } | { env: string };

/** BuildKit's entitlements a build can be granted (`network.host` is always granted here: host is the default network). */
export type Entitlement = 'security.insecure' | 'network.host';
export const ENTITLEMENTS: readonly Entitlement[] = ['security.insecure', 'network.host'];

export interface BuildResult {
  /** the image ID (config digest) */
  imageId: Digest;
  manifestDigest: Digest;
  /** full normalised references tagged */
  tags: string[];
  warnings: CheckWarning[];
  /** steps done and steps served from the cache */
  steps: { total: number; cached: number };
  /** the plan, for a `dryRun` */
  plan?: BuildPlanReport;
}
