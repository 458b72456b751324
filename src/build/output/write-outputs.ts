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

/** SOURCE_DATE_EPOCH (BuildKit's build arg or the environment), as an ISO time. */
function epochTime(ctx: ExecContext): string | undefined {
  const epoch = ctx.options.buildArgs?.SOURCE_DATE_EPOCH ?? ctx.options.env?.SOURCE_DATE_EPOCH;
  return epoch !== undefined && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000).toISOString() : undefined;
}

/**
 * History times as BuildKit's exporter sets them: a layer's entry gets the
 * time its layer was first made (so a cached rebuild writes the same config,
 * hence the same image ID); an entry without a time takes the first new
 * layer's time before it, the previous layer's after; the image's `created`
 * is the last entry's. SOURCE_DATE_EPOCH clamps them all.
 */
export function datedHistory(history: HistoryEntry[], layerCreated: ReadonlyMap<number, string>, now: string, epoch?: string): HistoryEntry[] {
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
  return epoch === undefined ? filled : filled.map((h) => (h.created! > epoch ? { ...h, created: epoch } : h));
}

/** The final config: --label added, history dated, rootfs from the layers. */
function finalConfig(ctx: ExecContext, st: StageState): StageState['config'] {
  const config = st.config;
  if (ctx.options.labels && Object.keys(ctx.options.labels).length > 0) config.config.Labels = { ...(config.config.Labels ?? {}), ...ctx.options.labels };
  const epoch = epochTime(ctx);
  const now = new Date().toISOString();
  config.history = datedHistory(config.history, st.layerCreated, now, epoch);
  const created = epoch ?? config.history[config.history.length - 1]?.created ?? now;
  const rootfs = { type: 'layers', diff_ids: st.layers.map((l) => l.diffId) };
  const out: Record<string, unknown> = { ...config, created, rootfs };
  // BuildKit's exporter writes the config from a map: top-level keys sorted
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) as StageState['config'];
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
