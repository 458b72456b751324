import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddInstruction, CopyInstruction } from '../../dockerfile/instructions/instruction';
import type { CopyRequest, SourceTree } from '../context/types';
import { stageIndexOf } from '../plan/plan-stages';
import { copyGitPart, gitPartKey, splitGitSources } from './add-git-source';
import { resolveBaseImage } from './base-image';
import type { ExecContext } from './exec-context';
import { ensureSnapshot, runLayerStep } from './layer-step';
import { rootIdOf, type StageState } from './stage-state';

/**
 * The history entry BuildKit writes for COPY/ADD. Docker 20.10's BuildKit
 * leaves --chown and --chmod out (current BuildKit writes them); `--parents`
 * only exists in the newer syntax, which writes it.
 */
function copyCreatedBy(ins: CopyInstruction | AddInstruction): string {
  const parts: string[] = [ins.kind];
  if (ins.kind === 'COPY' && ins.parents) parts.push('--parents');
  parts.push(...ins.sources);
  for (const s of ins.sourceContents) parts.push(`<<${s.path}`);
  parts.push(ins.dest);
  return `${parts.join(' ')} # buildkit`;
}

/** The `--from` source: another stage's result or an image; its cache identity is what made it (rootIdOf), the snapshot its chainID. */
async function fromSource(ctx: ExecContext, from: string, stageIndex: number): Promise<{ chainId?: string; identity: string; state: StageState }> {
  const i = stageIndexOf(ctx.df.stages, from, stageIndex);
  let src: StageState;
  if (i !== undefined) src = await ctx.stages.get(i)!;
  else src = await resolveBaseImage(ctx, from, undefined);
  // its identity is its chainID; the snapshot itself is unpacked only when the copy runs
  return { ...(src.chainId !== undefined ? { chainId: src.chainId } : {}), identity: rootIdOf(src) ?? 'scratch', state: src };
}

/**
 * COPY and ADD: the sources selected from the context (or a `--from` stage or
 * image), copied into a snapshot of the stage's rootfs by the context module.
 * The cache key is the content hash of what the context sources select (names,
 * content, modes; not mtimes), or the `--from` tree's chainID.
 */
export async function dispatchCopy(
  ctx: ExecContext,
  st: StageState,
  ins: CopyInstruction | AddInstruction,
  stageIndex: number,
  noCache: boolean,
): Promise<boolean> {
  const req: CopyRequest = {
    sources: ins.sources,
    dest: ins.dest,
    workdir: st.config.config.WorkingDir || '/',
    ...(ins.chmod && 'octal' in ins.chmod ? { chmod: ins.chmod } : ins.chmod && 'symbolic' in ins.chmod ? { chmod: ins.chmod } : {}),
    ...(ins.kind === 'COPY' && ins.parents ? { parents: true } : {}),
    ...(ins.excludes.length > 0 ? { excludes: ins.excludes } : {}),
    ...(ins.sourceContents.length > 0 ? { inline: ins.sourceContents.map((c) => ({ path: c.path, data: c.data })) } : {}),
    ...(ins.kind === 'ADD' ? { unpackArchives: ins.unpack ?? true, ...(ins.unpack === true ? { unpackUrls: true } : {}), ...(ins.checksum !== undefined ? { checksum: ins.checksum } : {}) } : {}),
    instruction: ins.kind,
  };
  const from = ins.kind === 'COPY' && ins.from !== undefined ? await fromSource(ctx, ins.from, stageIndex) : undefined;
  const withTree = async <T>(fn: (tree: SourceTree) => Promise<T>): Promise<T> => {
    if (from === undefined) return fn(ctx.contextTree);
    if (from.chainId === undefined) return withEmptyDir((root) => fn({ root, kind: 'stage' }));
    await ensureSnapshot(ctx, from.state);
    const { withMount } = require('../../snapshot/mount') as typeof import('../../snapshot/mount'); // eslint-disable-line @typescript-eslint/no-require-imports
    return withMount(await (await ctx.snapshotter()).mounts(from.chainId), (root) => fn({ root, kind: 'stage' }));
  };
  const parts = await splitGitSources(ctx, ins, req);
  const hash = async (r: CopyRequest): Promise<string> => (await ctx.contextOps.hashSources(ctx.contextTree, r, ctx.signal)).digest;
  let sources: unknown;
  if (parts !== undefined) sources = await Promise.all(parts.map((p) => ('git' in p ? gitPartKey(p.git) : hash(p.req))));
  else sources = from === undefined ? await hash(req) : from.identity;
  const { chmod, ...rest } = req;
  return runLayerStep(ctx, st, {
    createdBy: copyCreatedBy(ins),
    key: { op: ins.kind.toLowerCase(), request: { ...rest, chmod: chmod?.raw }, chown: ins.chown?.raw, sources, from: from !== undefined, link: ins.link },
    noCache,
    // --link: the layer is made on an empty tree, independent of what is below it (BuildKit's MergeOp)
    independent: ins.link && ins.chmod === undefined,
    change: async (rootfs) => {
      const { resolveChown } = require('../context/resolve-chown') as typeof import('../context/resolve-chown'); // eslint-disable-line @typescript-eslint/no-require-imports
      const owner = ins.chown ? resolveChown(rootfs, ins.chown) : undefined;
      if (parts === undefined) {
        await withTree((tree) => ctx.contextOps.copyInto(tree, { ...req, ...(owner ? { owner } : {}) }, rootfs, ctx.signal));
        return;
      }
      for (const p of parts) {
        if ('git' in p) await copyGitPart(ctx, p.git, { ...req, ...(owner ? { owner } : {}) }, rootfs);
        else await ctx.contextOps.copyInto(ctx.contextTree, { ...p.req, ...(owner ? { owner } : {}) }, rootfs, ctx.signal);
      }
    },
  });
}

/** A `--from` stage with no layers is an empty tree: a temp directory for the copy, removed after it. */
async function withEmptyDir<T>(fn: (root: string) => Promise<T>): Promise<T> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-empty-'));
  try {
    return await fn(root);
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
