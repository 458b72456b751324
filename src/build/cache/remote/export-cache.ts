import { BuildError, hasKind } from '../../../errors';
import type { Descriptor } from '../../../oci/descriptor';
import type { ExecContext } from '../../exec/exec-context';
import type { StageState } from '../../exec/stage-state';
import { cacheManifest } from './cache-manifest';
import type { CacheExport } from './cache-spec';
import { exportGraph, type UsedStep } from './export-graph';

/**
 * mode=min: the steps whose result is part of the image (their stack is a
 * prefix of the image's layers; an independent step's layer is one of
 * them); mode=max: every step of every stage built.
 */
export function stepsFor(mode: 'min' | 'max', steps: readonly UsedStep[], target: StageState): UsedStep[] {
  if (mode === 'max') return [...steps];
  const image = target.layers.map((l) => l.descriptor.digest);
  const inImage = new Set(image);
  return steps.filter((s) => {
    if (s.chain.length === 1 && inImage.has(s.chain[0]!.descriptor.digest)) return true;
    return s.chain.length <= image.length && s.chain.every((l, i) => l.descriptor.digest === image[i]);
  });
}

/** The build's --cache-to exports other than inline (written with the image): each to its registry or directory. */
export async function exportCaches(ctx: ExecContext, target: StageState, steps: readonly UsedStep[]): Promise<void> {
  for (const spec of ctx.options.cacheTo ?? []) {
    if (spec.type === 'inline') continue;
    const id = `export-cache-${spec.type === 'registry' ? spec.ref : spec.dest}`;
    const t0 = Date.now();
    ctx.emit({ type: 'step-start', id, index: 1, total: 1, name: `exporting cache to ${spec.type === 'registry' ? `registry ${spec.ref}` : `local ${spec.dest}`} (mode=${spec.mode})` });
    try {
      await exportOne(ctx, spec, target, steps);
      ctx.emit({ type: 'step-done', id, ms: Date.now() - t0 });
    } catch (err) {
      if (hasKind(err, 'canceled') || !spec.ignoreError) {
        ctx.emit({ type: 'step-error', id, code: 'BUILD_CACHE_EXPORT_FAILED', message: (err as Error).message });
        throw new BuildError('BUILD_CACHE_EXPORT_FAILED', `cache export failed: ${(err as Error).message}`, { type: spec.type }, { cause: err });
      }
      ctx.emit({ type: 'step-done', id, ms: Date.now() - t0 });
      ctx.emit({ type: 'warning', message: `cache export to ${spec.type} failed (ignore-error=true): ${(err as Error).message}` });
    }
  }
}

/** The steps with every layer of their chains in zstd (layers converted once; diffIDs unchanged). */
async function recompressed(ctx: ExecContext, steps: UsedStep[], ensureLocal: (d: Descriptor) => Promise<void>): Promise<UsedStep[]> {
  const { layerVariant } = require('./layer-variant') as typeof import('./layer-variant'); // eslint-disable-line @typescript-eslint/no-require-imports
  const variants = new Map<string, Promise<Descriptor>>();
  const variantOf = (d: Descriptor): Promise<Descriptor> => {
    let p = variants.get(d.digest);
    if (p === undefined) variants.set(d.digest, (p = ensureLocal(d).then(() => layerVariant(ctx.store, d, 'zstd', ctx.signal))));
    return p;
  };
  return Promise.all(steps.map(async (s) => ({ ...s, chain: await Promise.all(s.chain.map(async (l) => ({ ...l, descriptor: await variantOf(l.descriptor) }))) })));
}

async function exportOne(ctx: ExecContext, spec: Exclude<CacheExport, { type: 'inline' }>, target: StageState, steps: readonly UsedStep[]): Promise<void> {
  const ensureLocal = async (desc: Descriptor): Promise<void> => {
    await ctx.remote?.ensureBlobs(ctx.store, ctx.cache, [{ descriptor: desc }], ctx.signal);
  };
  let selected = stepsFor(spec.mode, steps, target);
  if (spec.compression === 'zstd') selected = await recompressed(ctx, selected, ensureLocal);
  const graph = exportGraph(selected, { oci: spec.oci });
  if (graph.layers.length === 0) {
    ctx.emit({ type: 'warning', message: 'cache export: no layers to export (skipped)' });
    return;
  }
  const cm = cacheManifest(graph, spec);
  const opts = { ensureLocal, ...(ctx.signal ? { signal: ctx.signal } : {}) };
  if (spec.type === 'local') {
    const { writeLocalCache } = require('./local-cache-target') as typeof import('./local-cache-target'); // eslint-disable-line @typescript-eslint/no-require-imports
    await writeLocalCache(ctx.store, spec.dest, spec.tag, graph.layers, cm, opts);
    return;
  }
  const { pushCacheManifest } = require('./registry-cache-target') as typeof import('./registry-cache-target'); // eslint-disable-line @typescript-eslint/no-require-imports
  await pushCacheManifest(ctx.store, spec.ref, graph.layers, cm, {
    ...opts,
    clientOptions: { env: ctx.options.env ?? process.env, ...(ctx.options.insecureRegistries ? { insecureRegistries: ctx.options.insecureRegistries } : {}) },
    onProgress: ctx.emit,
  });
}
