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
import type { CacheMountHandle } from '../../store/cache-mounts';
import { mountCache, type WithTree } from './run-mount-cache';
import { mountSecret, secretDir, secretIdOf, secretTargetOf } from './run-mount-secret';
import { rootIdOf, type StageState } from './stage-state';

/** Where one mount's tree comes from: the context, or a stage's / image's rootfs (its chainID). */
type Source = { kind: 'context' } | { kind: 'tree'; chainId?: string; state?: StageState };

interface Resolved {
  m: RunMount;
  /** the target in the container (none for a secret that is only an env= variable) */
  dest: string | undefined;
  source?: Source;
  /** the content identity of a bind or cache source */
  identity?: string;
}

export interface PreparedRunMounts {
  /** the cache key's part: each mount as resolved, with the content identity of bind sources (never a secret's value) */
  key: unknown[];
  /** variables the mounts add to the step's environment (SSH_AUTH_SOCK), part of the key */
  env: string[];
  /** run `fn` with the runtime spec's mounts in place and the secret env= values; everything is released after */
  use<T>(fn: (mounts: SpecMount[], secretEnv: string[]) => Promise<T>): Promise<T>;
}

function target(m: RunMount, raw: string | undefined, workdir: string): string {
  if (raw === undefined || raw === '') throw new BuildError('BUILD_INSTRUCTION_INVALID', `--mount=type=${m.type} needs a target`, { type: m.type });
  const dest = path.posix.resolve(workdir, raw);
  if (dest === '/') throw new BuildError('BUILD_INSTRUCTION_INVALID', `invalid mount target ${JSON.stringify(dest)}`, { type: m.type });
  return dest;
}

async function sourceOf(ctx: ExecContext, m: RunMount, stageIndex: number): Promise<Source> {
  if (m.from === undefined || m.from === '') return { kind: 'context' };
  const i = stageIndexOf(ctx.df.stages, m.from, stageIndex);
  const st: StageState = i !== undefined ? await ctx.stages.get(i)! : await resolveBaseImage(ctx, m.from, undefined);
  return st.chainId === undefined ? { kind: 'tree' } : { kind: 'tree', chainId: st.chainId, state: st };
}

async function resolveOne(ctx: ExecContext, m: RunMount, stageIndex: number, workdir: string, sshIndex: number): Promise<Resolved> {
  switch (m.type) {
    case 'secret': {
      const t = secretTargetOf(m);
      return { m, dest: t === undefined ? undefined : target(m, t, workdir) };
    }
    case 'ssh':
      if (m.source) throw new BuildError('BUILD_INSTRUCTION_INVALID', 'ssh does not support source', {});
      return { m, dest: target(m, m.target || `/run/buildkit/ssh_agent.${sshIndex}`, workdir) };
    case 'tmpfs':
      return { m, dest: target(m, m.target, workdir) };
    case 'cache':
      if (m.from === undefined || m.from === '') return { m, dest: target(m, m.target, workdir) };
      break;
    default:
  }
  const source = await sourceOf(ctx, m, stageIndex);
  let identity: string;
  if (source.kind === 'context') {
    const sel = await ctx.contextOps.hashSources(ctx.contextTree, { sources: [m.source || '.'], dest: '/', workdir: '/', instruction: 'COPY' }, ctx.signal);
    identity = sel.digest;
  } else identity = (source.state && rootIdOf(source.state)) ?? 'scratch';
  return { m, dest: target(m, m.target, workdir), source, identity };
}

/** `fn` with the root of a bind/cache source: the context, a stage's or image's mounted rootfs, or an empty dir. */
function treeOf(ctx: ExecContext, source: Source | undefined, emptyDir: string): WithTree {
  return async (fn) => {
    if (source?.kind === 'context') return fn(ctx.contextTree.root);
    if (source?.kind === 'tree' && source.state !== undefined) await ensureSnapshot(ctx, source.state);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    if (source?.kind === 'tree' && source.chainId !== undefined) return (require('../../snapshot/mount') as typeof import('../../snapshot/mount')).withMount(await (await ctx.snapshotter()).mounts(source.chainId), fn);
    await fs.mkdir(emptyDir, { recursive: true });
    return fn(emptyDir);
  };
}

/**
 * `RUN --mount` (BuildKit's): bind (from the context, a stage or an image;
 * read-only unless rw, and then writes go to a throwaway overlay), cache
 * (store/cache-mounts.ts), tmpfs, secret (a file on a tmpfs and/or an env=
 * variable) and ssh (a read-only agent socket forwarding to the build's
 * `--ssh` agent). Nothing of a mount ends up in the layer, the key or a log.
 */
export async function prepareRunMounts(ctx: ExecContext, mounts: readonly RunMount[], stageIndex: number, workdir: string): Promise<PreparedRunMounts> {
  let sshCount = 0;
  const resolved = await Promise.all(mounts.map((m) => resolveOne(ctx, m, stageIndex, workdir, m.type === 'ssh' ? sshCount++ : 0)));
  const key = resolved.map(({ m, dest, identity }) => ({
    type: m.type,
    dest,
    source: m.source,
    readOnly: m.readOnly,
    id: m.type === 'secret' ? secretIdOf(m) : m.id,
    env: m.env,
    sharing: m.sharing,
    required: m.required || undefined,
    size: m.sizeLimit,
    mode: m.mode,
    uid: m.uid,
    gid: m.gid,
    identity,
  }));
  const firstSsh = resolved.find((r) => r.m.type === 'ssh');
  return {
    key,
    env: firstSsh !== undefined ? [`SSH_AUTH_SOCK=${firstSsh.dest}`] : [],
    use: async (fn) => {
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-mounts-'));
      const releases: (() => Promise<void>)[] = [];
      let secrets: string | undefined;
      const spec: SpecMount[] = [];
      const secretEnv: string[] = [];
      const caches = new Map<string, CacheMountHandle>();
      try {
        const open = async (i: number): Promise<unknown> => {
          if (i === resolved.length) return fn(spec, secretEnv);
          const { m, dest, source, identity } = resolved[i]!;
          const withTree = treeOf(ctx, source, path.join(tmp, `empty-${i}`));
          switch (m.type) {
            case 'tmpfs':
              spec.push({ destination: dest!, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...(m.sizeLimit > 0 ? [`size=${m.sizeLimit}`] : [])] });
              return open(i + 1);
            case 'cache': {
              const { mount, handle } = await mountCache(ctx, m, dest!, identity !== undefined ? { identity, withTree } : undefined, caches);
              if (handle !== undefined) releases.push(() => handle.release());
              spec.push(mount);
              return open(i + 1);
            }
            case 'secret': {
              if (secrets === undefined) {
                secrets = await secretDir();
                const dir = secrets;
                releases.push(() => fs.rm(dir, { recursive: true, force: true }));
              }
              const s = await mountSecret(ctx.options, m, dest, secrets, i);
              spec.push(...s.mounts);
              secretEnv.push(...s.env);
              return open(i + 1);
            }
            case 'ssh': {
              const id = m.id || 'default';
              if (!ctx.ssh.has(id)) {
                if (m.required) throw new BuildError('BUILD_SSH_NOT_FOUND', `no SSH key ${JSON.stringify(id)} forwarded from the client`, { id });
                return open(i + 1);
              }
              const sock = path.join(tmp, `ssh-${i}.sock`);
              // eslint-disable-next-line @typescript-eslint/no-require-imports
              const { startAgentProxy } = require('./ssh-agent-proxy') as typeof import('./ssh-agent-proxy');
              const proxy = await startAgentProxy(await ctx.ssh.socketFor(id), sock, { mode: (m.mode ?? 0o600) & 0o777, uid: m.uid ?? 0, gid: m.gid ?? 0 });
              releases.push(() => proxy.close());
              spec.push({ destination: dest!, type: 'bind', source: sock, options: ['rbind'] });
              return open(i + 1);
            }
            default:
              return withTree(async (root) => {
                const src = resolveInRoot(root, m.source ?? '/');
                const st = await fs.lstat(src).catch(() => undefined);
                if (st === undefined) throw new BuildError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: "${m.source ?? '/'}" not found`, { source: m.source });
                if (m.readOnly) spec.push({ destination: dest!, type: 'bind', source: src, options: ['rbind', 'ro'] });
                else if (st.isDirectory()) {
                  // rw: writes land in a throwaway upper dir, as BuildKit discards them
                  const upper = path.join(tmp, `upper-${i}`);
                  const work = path.join(tmp, `work-${i}`);
                  await fs.mkdir(upper);
                  await fs.mkdir(work);
                  spec.push({ destination: dest!, type: 'overlay', source: 'overlay', options: [`lowerdir=${src}`, `upperdir=${upper}`, `workdir=${work}`] });
                } else {
                  const copy = path.join(tmp, `file-${i}`);
                  await fs.copyFile(src, copy);
                  spec.push({ destination: dest!, type: 'bind', source: copy, options: ['rbind', 'rw'] });
                }
                return open(i + 1);
              });
          }
        };
        return (await open(0)) as Awaited<ReturnType<typeof fn>>;
      } finally {
        for (const r of releases.reverse()) await r().catch(() => undefined);
        await fs.rm(tmp, { recursive: true, force: true });
      }
    },
  };
}
