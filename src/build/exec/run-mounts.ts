import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuildError } from '../../errors';
import type { Mount as RunMount } from '../../dockerfile/instructions/types';
import type { SpecMount } from '../../convert/runtime-spec/types';
import { resolveInRoot } from '../../convert/read-in-root';
import { stageIndexOf } from '../plan/plan-stages';
import { resolveBaseImage } from './base-image';
import type { ExecContext } from './exec-context';
import { ensureSnapshot } from './layer-step';
import type { StageState } from './stage-state';

/** Where one mount's tree comes from: the context, or a stage's / image's rootfs (its chainID). */
type Source = { kind: 'context' } | { kind: 'tree'; chainId?: string; state?: StageState };

export interface PreparedRunMounts {
  /** the cache key's part: each mount as resolved, with the content identity of bind sources */
  key: unknown[];
  /** run `fn` with the runtime spec's mounts in place; everything is released after */
  use<T>(workdir: string, fn: (mounts: SpecMount[]) => Promise<T>): Promise<T>;
}

function target(m: RunMount, workdir: string): string {
  if (m.target === undefined || m.target === '') {
    if (m.type === 'secret') return `/run/secrets/${m.id ?? path.posix.basename(m.source ?? '')}`;
    throw new BuildError('BUILD_INSTRUCTION_INVALID', `--mount=type=${m.type} needs a target`, { type: m.type });
  }
  return path.posix.resolve(workdir, m.target);
}

async function sourceOf(ctx: ExecContext, m: RunMount, stageIndex: number): Promise<Source> {
  if (m.from === undefined || m.from === '') return { kind: 'context' };
  const i = stageIndexOf(ctx.df.stages, m.from, stageIndex);
  const st: StageState = i !== undefined ? await ctx.stages.get(i)! : await resolveBaseImage(ctx, m.from, undefined);
  return st.chainId === undefined ? { kind: 'tree' } : { kind: 'tree', chainId: st.chainId, state: st };
}

function cacheDirOf(ctx: ExecContext, m: RunMount, dest: string): string {
  const id = m.id ?? dest;
  return path.join(ctx.store.paths.cache, 'mounts', createHash('sha256').update(id).digest('hex').slice(0, 32));
}

/**
 * `RUN --mount` (BuildKit's): bind (from the context, a stage or an image;
 * read-only unless rw, and then writes go to a throwaway overlay), cache (a
 * directory in the store that outlives builds, keyed by id or target), tmpfs,
 * and secret (a file given with `--secret id=…,src=…`, read-only). Nothing of
 * a mount ends up in the layer.
 */
export async function prepareRunMounts(ctx: ExecContext, mounts: readonly RunMount[], stageIndex: number, workdir: string): Promise<PreparedRunMounts> {
  const resolved = await Promise.all(
    mounts.map(async (m) => {
      const dest = target(m, workdir);
      const source = m.type === 'bind' ? await sourceOf(ctx, m, stageIndex) : undefined;
      let identity: string | undefined;
      if (source?.kind === 'context') {
        const sel = await ctx.contextOps.hashSources(ctx.contextTree, { sources: [m.source || '.'], dest: '/', workdir: '/', instruction: 'COPY' }, ctx.signal);
        identity = sel.digest;
      } else if (source?.kind === 'tree') identity = source.chainId ?? 'scratch';
      if (m.type === 'ssh') throw new BuildError('BUILD_INSTRUCTION_INVALID', 'RUN --mount=type=ssh is not supported yet', {});
      return { m, dest, source, identity };
    }),
  );
  const key = resolved.map(({ m, dest, identity }) => ({ type: m.type, dest, source: m.source, readOnly: m.readOnly, id: m.id, size: m.sizeLimit, mode: m.mode, uid: m.uid, gid: m.gid, identity }));
  return {
    key,
    use: async (_workdir, fn) => {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-mounts-'));
      const spec: SpecMount[] = [];
      try {
        const open = async (i: number): Promise<unknown> => {
          if (i === resolved.length) return fn(spec);
          const { m, dest, source } = resolved[i]!;
          switch (m.type) {
            case 'tmpfs':
              spec.push({ destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...(m.sizeLimit > 0 ? [`size=${m.sizeLimit}`] : [])] });
              return open(i + 1);
            case 'cache': {
              const dir = cacheDirOf(ctx, m, dest);
              await fs.mkdir(dir, { recursive: true, mode: m.mode ?? 0o755 });
              if (m.uid !== undefined || m.gid !== undefined) await fs.chown(dir, m.uid ?? 0, m.gid ?? 0);
              spec.push({ destination: dest, type: 'bind', source: dir, options: ['rbind', 'rw'] });
              return open(i + 1);
            }
            case 'secret': {
              const file = ctx.options.secrets?.[m.id ?? path.posix.basename(dest)];
              if (file === undefined) {
                if (m.required) throw new BuildError('BUILD_INSTRUCTION_INVALID', `secret ${m.id ?? dest} not found (pass --secret id=${m.id ?? 'ID'},src=FILE)`, { id: m.id });
                return open(i + 1);
              }
              spec.push({ destination: dest, type: 'bind', source: file, options: ['rbind', 'ro'] });
              return open(i + 1);
            }
            default: {
              const withTree = async <T>(f: (root: string) => Promise<T>): Promise<T> => {
                if (source?.kind === 'context') return f(ctx.contextTree.root);
                if (source?.kind === 'tree' && source.state !== undefined) await ensureSnapshot(ctx, source.state);
                if (source?.kind === 'tree' && source.chainId !== undefined) return (require('../../snapshot/mount') as typeof import('../../snapshot/mount')).withMount(await (await ctx.snapshotter()).mounts(source.chainId), f); // eslint-disable-line @typescript-eslint/no-require-imports
                const empty = path.join(tmp, `empty-${i}`);
                await fs.mkdir(empty);
                return f(empty);
              };
              return withTree(async (root) => {
                const src = resolveInRoot(root, m.source ?? '/');
                const st = await fs.lstat(src).catch(() => undefined);
                if (st === undefined) throw new BuildError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: "${m.source ?? '/'}" not found`, { source: m.source });
                if (m.readOnly) spec.push({ destination: dest, type: 'bind', source: src, options: ['rbind', 'ro'] });
                else if (st.isDirectory()) {
                  // rw: writes land in a throwaway upper dir, as BuildKit discards them
                  const upper = path.join(tmp, `upper-${i}`);
                  const work = path.join(tmp, `work-${i}`);
                  await fs.mkdir(upper);
                  await fs.mkdir(work);
                  spec.push({ destination: dest, type: 'overlay', source: 'overlay', options: [`lowerdir=${src}`, `upperdir=${upper}`, `workdir=${work}`] });
                } else {
                  const copy = path.join(tmp, `file-${i}`);
                  await fs.copyFile(src, copy);
                  spec.push({ destination: dest, type: 'bind', source: copy, options: ['rbind', 'rw'] });
                }
                return open(i + 1);
              });
            }
          }
        };
        return (await open(0)) as Awaited<ReturnType<typeof fn>>;
      } finally {
        await fs.rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
