import type { AddInstruction, CopyInstruction } from '../../dockerfile/instructions/instruction';
import { BuildError } from '../../errors';
import { parseGitRef, redactRemote, withAddFlags, type GitRef } from '../../dockerfile/instructions/git-ref';
import type { GitOptions, ResolvedGit } from '../context';
import type { CopyRequest, SelectedSources } from '../context/types';
import type { ExecContext } from './exec-context';

/** One part of a COPY/ADD's sources, in order: a git repository, or context sources (and the heredoc files, last). */
export type SourcePart = { git: ResolvedGit } | { req: CopyRequest };

/** git's options for a source: an ssh remote goes through the build's `--ssh default` agent, as BuildKit's git source (none: refused). */
async function gitOptions(ctx: ExecContext, ref: GitRef): Promise<GitOptions> {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  if (ref.scheme !== 'ssh') return signal;
  if (!ctx.ssh.has('default')) {
    throw new BuildError('ADD_GIT_SSH_UNAVAILABLE', `ADD ${redactRemote(ref.remote)} needs an SSH agent: pass one with hoist build --ssh default[=SOCKET|KEY]`, { remote: redactRemote(ref.remote) });
  }
  return { ...signal, sshAuthSock: await ctx.ssh.socketFor('default') };
}

/**
 * The sources of a COPY/ADD split at its git repositories, each resolved to
 * the commit its ref names now; undefined when there are none (the request
 * goes to the context module whole). COPY refuses a git source as BuildKit.
 */
export async function splitGitSources(ctx: ExecContext, ins: CopyInstruction | AddInstruction, req: CopyRequest): Promise<SourcePart[] | undefined> {
  const refs = ins.sources.map(parseGitRef);
  if (refs.every((r) => r === undefined)) return undefined;
  if (ins.kind === 'COPY') throw new BuildError('COPY_SOURCE_INVALID', "source can't be a git ref for COPY", { source: redactRemote(ins.sources[refs.findIndex((r) => r)]!) });
  if (ins.checksum !== undefined && ins.sources.length !== 1) throw new BuildError('COPY_SOURCE_INVALID', "checksum can't be specified for multiple sources", { checksum: ins.checksum });
  const resolved = await Promise.all(refs.map(async (r, i) => {
      if (r === undefined) return undefined;
      const ref = withAddFlags(r, ins, ins.sources[i]!);
      return ctx.contextOps.resolveGit(ref, await gitOptions(ctx, ref));
    }));
  const parts: SourcePart[] = [];
  let pending: string[] = [];
  const { checksum: _checksum, inline, ...base } = req;
  const flush = (last: boolean): void => {
    if (pending.length === 0 && !(last && inline !== undefined)) return;
    parts.push({ req: { ...base, sources: pending, ...(last && inline !== undefined ? { inline } : {}) } });
    pending = [];
  };
  for (const [i, source] of ins.sources.entries()) {
    const g = resolved[i];
    if (g === undefined) pending.push(source);
    else {
      flush(false);
      parts.push({ git: g });
    }
  }
  flush(true);
  return parts;
}

/** The cache input of a git part: the repository and the commit (the tag object too when .git is kept), never the files. */
export function gitPartKey(g: ResolvedGit): unknown {
  const keep = g.ref.keepGitDir === true && g.ref.subdir === undefined;
  return { git: redactRemote(g.ref.remote), commit: g.commit, subdir: g.ref.subdir, submodules: g.ref.submodules !== false, ...(keep ? { keepGitDir: true, object: g.object, fetchRef: g.fetchRef } : {}) };
}

/** Check the repository out (once per build) and copy its tree into `rootfs` at the request's dest, as COPY copies a directory. */
export async function copyGitPart(ctx: ExecContext, g: ResolvedGit, req: CopyRequest, rootfs: string): Promise<SelectedSources> {
  const root = await ctx.contextOps.checkoutGit(g, await gitOptions(ctx, g.ref));
  const { checksum: _c, inline: _i, unpackUrls: _u, ...rest } = req;
  return ctx.contextOps.copyInto({ root, kind: 'stage' }, { ...rest, sources: ['/'], unpackArchives: false }, rootfs, ctx.signal);
}
