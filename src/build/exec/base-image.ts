import { BuildError, isHoistError } from '../../errors';
import { resolveImage } from '../../image/resolve-image';
import { computeChainId } from '../../oci/chain-id';
import { parsePlatform, type Platform } from '../../oci/platform';
import { formatReference, parseReference } from '../../oci/reference';
import type { ExecContext } from './exec-context';
import { stateFromImage, type StageState } from './stage-state';

const resolving = new WeakMap<ExecContext, Map<string, Promise<StageState>>>();

/** Unpack a pulled base while it downloads: not when a remote cache may make every step a hit. */
function wantsUnpackedBase(ctx: Pick<ExecContext, 'options'>): boolean {
  return (ctx.options.cacheFrom ?? []).length === 0 || ctx.options.noCache === true;
}

async function pull(ctx: ExecContext, ref: string, platform: Platform): Promise<void> {
  // the registry area (undici) is loaded only when a build needs a registry
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pullImage } = require('../../registry') as typeof import('../../registry');
  await pullImage(ctx.store, ref, {
    platform,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: ctx.emit,
    // a pulled base is unpacked as it downloads when its first step will need it unpacked; with a
    // remote cache to import, steps are expected to hit and only their blobs are needed (an
    // unpack there doubled a cached build's time: bench build-cache-from 3.4 -> 7.6 s)
    ...(wantsUnpackedBase(ctx) ? { unpack: await ctx.snapshotter() } : {}),
    clientOptions: { env: ctx.options.env ?? process.env, ...(ctx.options.insecureRegistries ? { insecureRegistries: ctx.options.insecureRegistries } : {}) },
  });
}

async function resolveOnce(ctx: ExecContext, name: string, platform: Platform): Promise<StageState> {
  let ref: string;
  try {
    ref = formatReference(parseReference(name));
  } catch (err) {
    throw new BuildError('BUILD_BASE_NOT_FOUND', `invalid base image reference "${name}": ${(err as Error).message}`, { image: name }, { cause: err });
  }
  if (ctx.options.pull) await pull(ctx, ref, platform);
  let record;
  try {
    record = await resolveImage(ctx.store, ref, platform);
  } catch (err) {
    if (!isHoistError(err, 'IMAGE_NOT_FOUND') || ctx.options.pull) throw err;
    try {
      await pull(ctx, ref, platform);
    } catch (pullErr) {
      throw new BuildError('BUILD_BASE_NOT_FOUND', `failed to resolve base image ${name}: not in the store, and pulling it failed: ${(pullErr as Error).message}`, { image: name }, { cause: pullErr });
    }
    record = await resolveImage(ctx.store, ref, platform);
  }
  const diffIds = record.config.rootfs.diff_ids;
  const layers = record.manifest.layers.map((descriptor, i) => ({ descriptor, diffId: diffIds[i]! }));
  return stateFromImage(record.config, layers, computeChainId(diffIds));
}

/**
 * A FROM or `--from` image: from the store, else pulled from its registry
 * (always pulled with `--pull`). Resolved once per build and platform.
 */
export function resolveBaseImage(ctx: ExecContext, name: string, platform: string | undefined): Promise<StageState> {
  const p = platform ? parsePlatform(platform) : ctx.platform;
  let map = resolving.get(ctx);
  if (map === undefined) resolving.set(ctx, (map = new Map()));
  const key = `${name}\0${p.os}/${p.architecture}/${p.variant ?? ''}`;
  let pending = map.get(key);
  if (pending === undefined) map.set(key, (pending = resolveOnce(ctx, name, p)));
  return pending.then((st) => stateFromImage(st.config, st.layers, st.chainId));
}
