import { isHoistError } from '../errors';
import { checkDockerfile, checkFailure } from '../dockerfile/checks/run-checks';
import type { IgnoreMatcher } from '../dockerfile/ignore/matcher';
import type { ParsedDockerfile } from '../dockerfile/parse-dockerfile';
import { resolveImage } from '../image/resolve-image';
import type { ImageConfig } from '../oci/manifest';
import { formatPlatform, parsePlatform, type Platform } from '../oci/platform';
import { formatReference, parseReference } from '../oci/reference';
import type { Store } from '../store/store';
import { planBuild } from './plan/plan-build';
import type { BuildPlan } from './plan/plan-stages';
import type { BuildPlanReport } from './plan/plan-types';
import type { BuildOptions } from './types';

const keyOf = (ref: string, p: Platform): string => `${ref}\0${formatPlatform(p)}`;

/** The configs of the FROM images the store already has (nothing is pulled; a missing one stays unknown). */
async function storeConfigs(store: Store, plan: BuildPlan, platform: Platform): Promise<Map<string, ImageConfig>> {
  const known = new Map<string, ImageConfig>();
  for (const s of plan.stages) {
    if (s.base.kind !== 'image') continue;
    let ref: string;
    let p: Platform;
    try {
      ref = formatReference(parseReference(s.base.ref));
      p = s.base.platform ? parsePlatform(s.base.platform) : platform;
    } catch {
      continue; // the planner reports it where it stands
    }
    if (known.has(keyOf(ref, p))) continue;
    try {
      known.set(keyOf(ref, p), (await resolveImage(store, ref, p)).config);
    } catch (err) {
      if (!isHoistError(err) || err.kind !== 'not-found') throw err;
    }
  }
  return known;
}

/**
 * `build(store, {dryRun: true})`: the build planned, not run. Base image
 * configs come from the store when it has them (never from a registry); the
 * build checks run with what is known. Returns the plan and the warnings.
 */
export async function dryRunBuild(
  store: Store,
  options: BuildOptions,
  source: { text: string; file: string },
  df: ParsedDockerfile,
  plan: BuildPlan,
  platform: Platform,
  ignoreMatcher?: IgnoreMatcher,
): Promise<{ plan: BuildPlanReport; warnings: ReturnType<typeof checkDockerfile>['warnings'] }> {
  const known = await storeConfigs(store, plan, platform);
  const report = planBuild({
    dockerfileText: source.text,
    file: source.file,
    buildArgs: options.buildArgs ?? {},
    ...(options.target ? { target: options.target } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    baseConfig: (ref, p) => known.get(keyOf(ref, p)),
  });
  const check = checkDockerfile(df, {
    buildArgs: options.buildArgs ?? {},
    ...(options.target ? { target: options.target } : {}),
    targetPlatform: platform,
    ...(ignoreMatcher ? { ignoreMatcher } : {}),
    baseImage: (ref, p) => {
      let c: ImageConfig | undefined;
      try {
        c = known.get(keyOf(formatReference(parseReference(ref)), p));
      } catch {
        return undefined;
      }
      if (c === undefined) return undefined;
      return { platform: { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) }, ...(c.config?.Env ? { env: c.config.Env } : {}), ...(c.config?.Shell ? { shell: c.config.Shell } : {}) };
    },
  });
  if (check.failed) throw checkFailure(check, df.file);
  return { plan: report, warnings: check.warnings };
}
