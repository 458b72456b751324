import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import { chainIdOf } from '../../oci/chain-id';
import type { Digest } from '../../oci/digest';
import type { PackEntry } from '../../layer/diff/pack-entry';
import type { SpooledLayer } from '../../layer/spool-layer';
import { createScratchFile, type ScratchFile } from '../../store/scratch-file';
import { cacheKey, CACHE_SCHEMA, type CacheRecord } from '../cache/build-cache';
import type { ExecContext } from './exec-context';
import { addHistory } from './dispatch-meta';
import { descriptorsOf, type PendingLayer } from './layer-blobs';
import type { UsedStep } from '../cache/remote/export-graph';
import { rootIdOf, type LayerRef, type StageState } from './stage-state';

/** The snapshot and layer engines, loaded when a step misses the cache (a fully cached build never needs them). */
function lazySnapshot(): typeof import('../../snapshot/commit-change') & typeof import('../../snapshot/unpack-image') & typeof import('../../layer/spool-layer') {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    ...(require('../../snapshot/commit-change') as typeof import('../../snapshot/commit-change')),
    ...(require('../../snapshot/unpack-image') as typeof import('../../snapshot/unpack-image')),
    ...(require('../../layer/spool-layer') as typeof import('../../layer/spool-layer')),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

const BUILD_LAYER_XATTRS = ['security.capability'] as const;

const unpacking = new WeakMap<ExecContext, Map<string, Promise<void>>>();

function unpacked(ctx: ExecContext): Map<string, Promise<void>> {
  let map = unpacking.get(ctx);
  if (map === undefined) unpacking.set(ctx, (map = new Map()));
  return map;
}

/** Make sure the stage's top layer is an unpacked snapshot (cache hits and pulled bases may not be yet); once per chain and build. */
export function ensureSnapshot(ctx: ExecContext, st: StageState): Promise<void> {
  if (st.layers.length === 0 || st.chainId === undefined) return Promise.resolve();
  const map = unpacked(ctx);
  let p = map.get(st.chainId);
  if (p === undefined) map.set(st.chainId, (p = unpack(ctx, st)));
  return p;
}

async function unpack(ctx: ExecContext, st: StageState): Promise<void> {
  // a layer of this build whose blob is still being written is one to wait for (its snapshot may be elsewhere: COPY --link)
  const layers = await descriptorsOf(st.layers);
  const manifest = { schemaVersion: 2, config: layers[0]!, layers } as ImageManifest;
  const config = { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: st.layers.map((l) => l.diffId) } } as ImageConfig;
  await ctx.remote?.ensureBlobs(ctx.store, ctx.cache, layers.map((descriptor) => ({ descriptor })), ctx.signal);
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

/** The step's result on the stage: its layer (if any) on top, its history entry; `cacheId` what the rootfs now is. */
function apply(st: StageState, layer: LayerRef | undefined, created: string, createdBy: string, cacheId: CacheRecord['key']): void {
  st.cacheId = cacheId;
  if (layer !== undefined) {
    st.layers.push(layer);
    // computed, not taken from the record: an independent layer was committed on nothing, and a hit's
    // parent may be another build of the same parent step (keys chain on what made the parent)
    st.chainId = chainIdOf(st.chainId, layer.diffId);
    st.layerCreated.set(st.config.history.length, created);
  }
  addHistory(st, createdBy, layer !== undefined);
}

/** A record's layer as the stage holds it. */
function layerOf(rec: CacheRecord): LayerRef | undefined {
  return rec.layer === undefined ? undefined : { descriptor: rec.layer.descriptor, diffId: rec.layer.diffId };
}

/** Note the step's key and resulting stack for --cache-to. */
function used(ctx: ExecContext, st: StageState, key: CacheRecord['key'], created: string, layer: LayerRef | undefined, independent: boolean | undefined): UsedStep | undefined {
  if (layer === undefined) return undefined;
  const step: UsedStep = { key, created, chain: independent ? [layer] : [...st.layers] };
  ctx.usedSteps.push(step);
  return step;
}

/** A recorded result (a hit, or a concurrent build's record of the step): used as it is; its layer queued for --push. */
function useRecord(ctx: ExecContext, st: StageState, key: CacheRecord['key'], cacheId: CacheRecord['key'], rec: CacheRecord, step: LayerStep): void {
  const layer = layerOf(rec);
  apply(st, layer, rec.created, step.createdBy, cacheId);
  used(ctx, st, key, rec.created, layer, step.independent);
  if (layer !== undefined && ctx.earlyPush !== undefined && ctx.remote?.isPending(layer.descriptor.digest) !== true) ctx.earlyPush.layer(layer.descriptor);
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
 * (`commitChange`), packs the diff into a scratch file and commits the
 * snapshot: the next step can run. The layer's blob is compressed and its
 * cache record written while later steps run (`ctx.layerBlobs`; the build
 * awaits them before it names the blob anywhere). Returns whether it was cached.
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
      useRecord(ctx, st, key, cacheId, hit, step);
      return true;
    }
  }
  if (!step.independent) await ensureSnapshot(ctx, st);
  const parent = step.independent ? undefined : st.chainId;
  // a build's layers record security.capability only, as BuildKit's and moby's tar writers do (user.* stays on disk)
  const options = { layerXattrs: BUILD_LAYER_XATTRS, ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}), ...(ctx.signal ? { signal: ctx.signal } : {}) };
  const { commitChange, spoolLayer } = lazySnapshot();
  // the tar in memory when it fits what the queued layers leave (taken once the change is made), else in a scratch file under ingest/
  let scratch: ScratchFile | undefined;
  let reserved = 0;
  const spill = async (): Promise<string> => (scratch = await createScratchFile(ctx.store.paths, ctx.signal)).path;
  const spoolEntries = (entries: PackEntry[]): Promise<SpooledLayer> => spoolLayer(entries, { ...options, memoryLimit: (reserved = ctx.layerBlobs.reserve()), spill });
  let held = 0;
  const discard = async (): Promise<void> => {
    ctx.layerBlobs.release(held);
    held = 0;
    await scratch?.remove();
  };
  let spooled: SpooledLayer;
  let chainId: Digest;
  try {
    ({ layer: spooled, chainId } = await commitChange(await ctx.snapshotter(), parent, step.change, spoolEntries, options));
  } catch (err) {
    ctx.layerBlobs.release(reserved);
    await scratch?.remove().catch(() => undefined);
    throw err;
  }
  held = spooled.chunks !== undefined ? spooled.uncompressedSize : 0;
  ctx.layerBlobs.release(reserved - held);
  unpacked(ctx).set(chainId, Promise.resolve()); // committed just now: no unpack of it in this build
  try {
    // a build that ran the same step at once and recorded it first: its result is the step's, as for a hit
    const theirs = await ctx.cache.get(key);
    if (theirs !== undefined && (await usable(ctx, theirs))) {
      await discard();
      useRecord(ctx, st, key, cacheId, theirs, step);
      return false;
    }
  } catch (err) {
    await discard().catch(() => undefined);
    throw err;
  }
  const layer = queueBlob(ctx, st, step, key, chainId, spooled, discard);
  apply(st, layer, layer.created, step.createdBy, cacheId);
  const usedStep = used(ctx, st, key, layer.created, layer, step.independent);
  if (usedStep !== undefined) usedSteps.set(layer, usedStep);
  return false;
}

/** The --cache-to entry of each pending layer, to take the time of a concurrent build's record with it. */
const usedSteps = new WeakMap<PendingLayer, UsedStep>();

/**
 * Queue the blob of a layer the step made (`ctx.layerBlobs`), then its cache
 * record and its --push upload; returns the layer for the stage now.
 */
function queueBlob(ctx: ExecContext, st: StageState, step: LayerStep, key: Digest, chainId: Digest, spooled: SpooledLayer, discard: () => Promise<void>): PendingLayer {
  const { writeSpooledLayer } = lazySnapshot();
  const created = new Date().toISOString();
  return ctx.layerBlobs.add(
    spooled.diffId,
    created,
    st.config.history.length,
    async (signal) => {
      try {
        // two blocks in the threadpool at a time (not four): the steps running meanwhile keep theirs; the bytes are the same
        return (await writeSpooledLayer(ctx.store.content, spooled, { threads: 1, signal })).descriptor;
      } finally {
        await discard();
      }
    },
    async (done) => {
      const rec: CacheRecord = { schema: CACHE_SCHEMA, key, created, description: step.createdBy, layer: { descriptor: done.descriptor, diffId: done.diffId, chainId } };
      const kept = await ctx.cache.putIfAbsent(rec);
      // recorded by another build meanwhile: the same layer takes its time, as a hit would (both builds then agree)
      if (kept.layer?.descriptor.digest === done.descriptor.digest) done.created = kept.created;
      const usedStep = usedSteps.get(done);
      if (usedStep !== undefined) usedStep.created = done.created;
      ctx.earlyPush?.layer(done.descriptor);
    },
  );
}
