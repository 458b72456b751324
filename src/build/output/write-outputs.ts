import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { BuildError } from '../../errors';
import { resolveImage } from '../../image/resolve-image';
import { writeImage, type WrittenImage } from '../../image/write-image';
import type { HistoryEntry } from '../../oci/manifest';
import type { ExecContext } from '../exec/exec-context';
import { ensureSnapshot } from '../exec/layer-step';
import type { StageState } from '../exec/stage-state';

/** Seconds as Go's RFC 3339 time in UTC, as BuildKit writes a whole-second time (`2024-01-01T00:00:00Z`). */
export function epochTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * History times as BuildKit's exporter sets them: a layer's entry gets the
 * time its layer was first made (so a cached rebuild writes the same config,
 * hence the same image ID); an entry without a time takes the first new
 * layer's time before it, the previous layer's after; the image's `created`
 * is the last entry's. With SOURCE_DATE_EPOCH every entry after the base
 * image's (`baseHistory` of them, whose times stay: BuildKit issue 4614) is
 * dated the epoch, as BuildKit's frontend dates them.
 */
export function datedHistory(history: HistoryEntry[], layerCreated: ReadonlyMap<number, string>, now: string, epoch?: string, baseHistory = 0): HistoryEntry[] {
  const out = history.map((h, i) => (h.created !== undefined ? h : layerCreated.has(i) ? { ...h, created: layerCreated.get(i)! } : h));
  let created: string | undefined;
  let missing = false;
  for (const h of out) {
    if (h.created !== undefined) {
      created = h.created;
      if (missing) break;
    } else missing = true;
  }
  missing = false;
  const filled = out.map((h) => {
    if (h.created !== undefined) {
      if (missing) created = h.created;
      return h;
    }
    missing = true;
    return { created: created ?? now, ...h };
  });
  if (epoch === undefined) return filled;
  return filled.map((h, i) => {
    if (i < baseHistory) return h;
    const { created: _, ...rest } = h;
    return { created: epoch, ...rest }; // Go's field order: created first
  });
}

/** The final config: --label added, history dated, rootfs from the layers; the inline cache with --cache-to type=inline. */
function finalConfig(ctx: ExecContext, st: StageState): StageState['config'] {
  const config = st.config;
  if (ctx.options.labels && Object.keys(ctx.options.labels).length > 0) config.config.Labels = { ...(config.config.Labels ?? {}), ...ctx.options.labels };
  const epoch = ctx.sourceDateEpoch === undefined ? undefined : epochTime(ctx.sourceDateEpoch);
  const now = new Date().toISOString();
  config.history = datedHistory(config.history, st.layerCreated, now, epoch, st.baseHistory);
  // BuildKit's exporter: the last history entry's time (the epoch once the Dockerfile added one)
  const created = config.history[config.history.length - 1]?.created ?? epoch ?? now;
  const rootfs = { type: 'layers', diff_ids: st.layers.map((l) => l.diffId) };
  const out: Record<string, unknown> = { ...config, created, rootfs };
  if (ctx.options.cacheTo?.some((c) => c.type === 'inline')) {
    const { inlineCacheValue } = require('../cache/remote/inline-cache') as typeof import('../cache/remote/inline-cache'); // eslint-disable-line @typescript-eslint/no-require-imports
    const { INLINE_CACHE_KEY } = require('../cache/remote/cache-config') as typeof import('../cache/remote/cache-config'); // eslint-disable-line @typescript-eslint/no-require-imports
    const value = inlineCacheValue(ctx.usedSteps, st.layers);
    if (value !== undefined) out[INLINE_CACHE_KEY] = value;
  }
  // BuildKit's exporter writes the config from a map: top-level keys sorted
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) as StageState['config'];
}

/** Every entry under `dir` (and `dir`) dated `seconds`, symlinks themselves. */
async function setTreeTimes(dir: string, seconds: number, signal?: AbortSignal): Promise<void> {
  for await (const entry of await fsp.opendir(dir)) {
    signal?.throwIfAborted();
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await setTreeTimes(p, seconds, signal);
    else await fsp.lutimes(p, seconds, seconds);
  }
  await fsp.utimes(dir, seconds, seconds);
}

/**
 * Write the target stage as an image (config, manifest, tags; untagged when no
 * -t), then the other outputs: a docker or OCI archive (both are the same
 * docker-archive-that-is-an-OCI-layout `hoist save` writes) or the rootfs as a
 * local directory.
 */
export async function writeOutputs(ctx: ExecContext, st: StageState, tags: string[]): Promise<WrittenImage> {
  await ctx.remote?.ensureBlobs(ctx.store, ctx.cache, st.layers, ctx.signal);
  const written = await writeImage(ctx.store, { config: finalConfig(ctx, st), layers: st.layers.map((l) => l.descriptor), tags, ...(ctx.signal ? { signal: ctx.signal } : {}) });
  for (const out of ctx.options.outputs ?? []) {
    if (out.type === 'image') continue;
    if (out.type === 'local') {
      await fsp.mkdir(out.dest, { recursive: true });
      if (st.chainId === undefined) continue;
      await ensureSnapshot(ctx, st);
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { withMount } = require('../../snapshot/mount') as typeof import('../../snapshot/mount');
      const { copyTree } = require('../../snapshot/copy-snapshotter') as typeof import('../../snapshot/copy-snapshotter');
      /* eslint-enable @typescript-eslint/no-require-imports */
      await withMount(await (await ctx.snapshotter()).mounts(st.chainId), (root) => copyTree(root, out.dest, ctx.signal));
      // BuildKit's local exporter dates every file it writes with SOURCE_DATE_EPOCH
      if (ctx.sourceDateEpoch !== undefined) await setTreeTimes(out.dest, ctx.sourceDateEpoch, ctx.signal);
      continue;
    }
    if (out.dest === '') throw new BuildError('BUILD_OUTPUT_INVALID', `--output type=${out.type} needs dest=FILE`, {});
    const image = await resolveImage(ctx.store, tags[0] ?? written.id);
    const tmp = `${out.dest}.tmp-${process.pid}`;
    try {
      const { saveArchive } = require('../../image/archive/save-archive') as typeof import('../../image/archive/save-archive'); // eslint-disable-line @typescript-eslint/no-require-imports
      await saveArchive(ctx.store, [image], fs.createWriteStream(tmp), ctx.signal ? { signal: ctx.signal } : {});
      await fsp.rename(tmp, path.resolve(out.dest));
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }
  return written;
}
