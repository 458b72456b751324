import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import { chainIdOf } from '../../oci/chain-id';
import { cacheKey, CACHE_SCHEMA, type CacheRecord } from '../cache/build-cache';
import type { ExecContext } from './exec-context';
import { addHistory } from './dispatch-meta';
import { rootIdOf, type StageState } from './stage-state';

/** The snapshot and layer engines, loaded when a step misses the cache (a fully cached build never needs them). */
function lazySnapshot(): typeof import('../../snapshot/commit-change') & typeof import('../../snapshot/unpack-image') {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return { ...(require('../../snapshot/commit-change') as typeof import('../../snapshot/commit-change')), ...(require('../../snapshot/unpack-image') as typeof import('../../snapshot/unpack-image')) };
}

const BUILD_LAYER_XATTRS = ['security.capability'] as const;

const unpacking = new WeakMap<ExecContext, Map<string, Promise<void>>>();

/** Make sure the stage's top layer is an unpacked snapshot (cache hits and pulled bases may not be yet); once per chain and build. */
export function ensureSnapshot(ctx: ExecContext, st: StageState): Promise<void> {
  if (st.layers.length === 0 || st.chainId === undefined) return Promise.resolve();
  let map = unpacking.get(ctx);
  if (map === undefined) unpacking.set(ctx, (map = new Map()));
  let p = map.get(st.chainId);
  if (p === undefined) map.set(st.chainId, (p = unpack(ctx, st)));
  return p;
}

async function unpack(ctx: ExecContext, st: StageState): Promise<void> {
  const manifest = { schemaVersion: 2, config: st.layers[0]!.descriptor, layers: st.layers.map((l) => l.descriptor) } as ImageManifest;
  const config = { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: st.layers.map((l) => l.diffId) } } as ImageConfig;
  await ctx.remote?.ensureBlobs(ctx.store, ctx.cache, st.layers, ctx.signal);
  const { unpackImage } = lazySnapshot();
  await unpackImage(ctx.store, await ctx.snapshotter(), { manifest, config }, ctx.signal ? { signal: ctx.signal } : {});
}

export interface LayerStep {
  /** the history entry (`RUN /bin/sh -c make # buildkit`) */
  createdBy: string;
  /** everything the result depends on besides the parent rootfs: the cache key's input */
  key: unknown;
  noCache: boolean;
  /** make the layer on an empty tree and stack it on the parent (COPY --link) */
  independent?: boolean;
  /** alter the mounted rootfs */
  change: (rootfs: string) => Promise<void>;
}

/** A hit is usable when its blob is still there; `renew` (not `has`) so a concurrent prune cannot take it now that we reference it. */
async function usable(ctx: ExecContext, rec: CacheRecord): Promise<boolean> {
  return rec.layer === undefined || (await ctx.store.content.renew([rec.layer.descriptor.digest])).length === 0;
}

function apply(st: StageState, rec: CacheRecord, createdBy: string, cacheId: CacheRecord['key']): void {
  st.cacheId = cacheId;
  if (rec.layer !== undefined) {
    st.layers.push({ descriptor: rec.layer.descriptor, diffId: rec.layer.diffId });
    // computed, not taken from the record: an independent layer was committed on nothing, and a hit's
    // parent may be another build of the same parent step (keys chain on what made the parent)
    st.chainId = chainIdOf(st.chainId, rec.layer.diffId);
    st.layerCreated.set(st.config.history.length, rec.created);
  }
  addHistory(st, createdBy, rec.layer !== undefined);
}

/** Note the step's key and resulting stack for --cache-to; queue its layer for --push. */
function used(ctx: ExecContext, st: StageState, key: CacheRecord['key'], rec: CacheRecord, independent: boolean | undefined): void {
  if (rec.layer === undefined) return;
  if (ctx.earlyPush !== undefined && ctx.remote?.isPending(rec.layer.descriptor.digest) !== true) ctx.earlyPush.layer(rec.layer.descriptor);
  ctx.usedSteps.push({ key, created: rec.created, chain: independent ? [{ descriptor: rec.layer.descriptor, diffId: rec.layer.diffId }] : [...st.layers] });
}

/** A --cache-from hit as a record: used now, written to the local cache once its blob is fetched and verified. */
function remoteHit(ctx: ExecContext, st: StageState, key: CacheRecord['key'], step: LayerStep): CacheRecord | undefined {
  const match = ctx.remote?.lookup(key, step.independent ? undefined : st.layers);
  if (match === undefined) return undefined;
  const { descriptor, diffId } = match.layer;
  const rec: CacheRecord = { schema: CACHE_SCHEMA, key, created: match.created, description: step.createdBy, layer: { descriptor, diffId, chainId: chainIdOf(step.independent ? undefined : st.chainId, diffId) } };
  ctx.remote!.claim(match, rec);
  return rec;
}

/**
 * A step that makes a layer: a cache hit reuses the recorded layer without
 * doing the work; a miss runs `change` on a snapshot of the parent
 * (`commitChange`) and records the result. Returns whether it was cached.
 */
export async function runLayerStep(ctx: ExecContext, st: StageState, step: LayerStep): Promise<boolean> {
  // rewrite-timestamp makes other layers (file times clamped): their own cache records
  const epoch = ctx.rewriteTimestamp ? ctx.sourceDateEpoch : undefined;
  const parentId = rootIdOf(st);
  const key = cacheKey(step.independent ? undefined : parentId, epoch === undefined ? step.key : { step: step.key, rewriteTimestamp: epoch });
  // what the rootfs is after this step: the key, or for an independent layer the key on its parent
  const cacheId = step.independent ? cacheKey(parentId, { link: key }) : key;
  if (!step.noCache) {
    const rec = await ctx.cache.get(key);
    const hit = rec !== undefined && (await usable(ctx, rec)) ? rec : remoteHit(ctx, st, key, step);
    if (hit !== undefined) {
      apply(st, hit, step.createdBy, cacheId);
      used(ctx, st, key, hit, step.independent);
      return true;
    }
  }
  if (!step.independent) await ensureSnapshot(ctx, st);
  const parent = step.independent ? undefined : st.chainId;
  // a build's layers record security.capability only, as BuildKit's and moby's tar writers do (user.* stays on disk)
  const { commitChange } = lazySnapshot();
  const result = await commitChange(ctx.store.content, await ctx.snapshotter(), parent, step.change, {
    layerXattrs: BUILD_LAYER_XATTRS,
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  const rec: CacheRecord = { schema: CACHE_SCHEMA, key, created: new Date().toISOString(), description: step.createdBy };
  rec.layer = { descriptor: result.layer.descriptor, diffId: result.layer.diffId, chainId: result.chainId };
  const kept = await ctx.cache.putIfAbsent(rec);
  apply(st, kept, step.createdBy, cacheId);
  used(ctx, st, key, kept, step.independent);
  return false;
}
