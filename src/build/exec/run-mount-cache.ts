import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { Mount as RunMount } from '../../dockerfile/instructions/types';
import type { SpecMount } from '../../convert/runtime-spec/types';
import { resolveInRoot } from '../../convert/read-in-root';
import { acquireCacheMount, type CacheMountHandle } from '../../store/cache-mounts';
import { canonicalJson } from '../cache/build-cache';
import type { ExecContext } from './exec-context';

/** Gives `fn` the root of the mount's `from=` tree (the caller mounts and releases it). */
export type WithTree = <T>(fn: (root: string) => Promise<T>) => Promise<T>;

/** The cache's id as BuildKit names it: BUILDKIT_CACHE_MOUNT_NS + "/" + (id=, else the cleaned target). */
export function cacheIdOf(ctx: ExecContext, m: RunMount): string {
  const ns = ctx.options.buildArgs?.BUILDKIT_CACHE_MOUNT_NS ?? '';
  return `${ns}/${m.id || path.posix.normalize(m.target ?? '')}`;
}

/**
 * What a new cache directory starts as, in BuildKit's terms: the `from=`
 * tree at `source=` (or its root), else an empty directory with mode/uid/gid
 * (default 0755 root). Part of the cache's name: another seed is another cache.
 */
function seedOf(m: RunMount, identity: string | undefined): unknown {
  const source = path.posix.join('/', m.source ?? '');
  if (identity !== undefined && (source !== '/' || (m.mode === undefined && m.uid === undefined && m.gid === undefined))) return { from: identity, source };
  if (m.mode !== undefined || m.uid !== undefined || m.gid !== undefined) return { mode: m.mode ?? 0o755, uid: m.uid ?? 0, gid: m.gid ?? 0 };
  return undefined;
}

/**
 * `RUN --mount=type=cache`: take the cache directory (store/cache-mounts.ts;
 * `sharing` shared by default, `locked` waits, `private` may make another) and
 * bind it at the target, read-only with `readonly`. The hold is released by
 * the returned handle after the RUN. `held` is the RUN's own holds by cache key:
 * one cache mounted at two targets of one RUN is one directory (BuildKit's
 * testDuplicateCacheMount), taken once, so `locked` never waits on itself;
 * `handle` is undefined for the second target (the first one's releases it).
 */
export async function mountCache(
  ctx: ExecContext,
  m: RunMount,
  dest: string,
  from: { identity: string; withTree: WithTree } | undefined,
  held: Map<string, CacheMountHandle>,
): Promise<{ mount: SpecMount; handle: CacheMountHandle | undefined }> {
  const id = cacheIdOf(ctx, m);
  const seed = seedOf(m, from?.identity);
  const key = createHash('sha256').update(canonicalJson({ id, seed })).digest('hex').slice(0, 32);
  const bind = (dir: string): SpecMount => ({ destination: dest, type: 'bind', source: dir, options: ['rbind', m.readOnly ? 'ro' : 'rw'] });
  const taken = held.get(key);
  if (taken !== undefined) return { mount: bind(taken.dir), handle: undefined };
  const handle = await acquireCacheMount(ctx.store.paths, {
    key,
    id,
    sharing: m.sharing ?? 'shared',
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    seed: async (dir) => {
      const s = seed as { from?: string; source: string; mode: number; uid: number; gid: number } | undefined;
      if (s?.from !== undefined && from !== undefined) {
        await from.withTree(async (root) => {
          const src = resolveInRoot(root, s.source);
          const st = await fs.stat(src).catch(() => undefined);
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          if (st?.isDirectory()) await (require('../../snapshot/copy-snapshotter') as typeof import('../../snapshot/copy-snapshotter')).copyTree(src, dir, ctx.signal);
          if (st !== undefined) {
            await fs.chmod(dir, st.mode & 0o7777);
            await fs.chown(dir, st.uid, st.gid);
          }
        });
        return;
      }
      await fs.chmod(dir, s?.mode ?? 0o755);
      await fs.chown(dir, s?.uid ?? 0, s?.gid ?? 0);
    },
  });
  held.set(key, handle);
  return { mount: bind(handle.dir), handle };
}
