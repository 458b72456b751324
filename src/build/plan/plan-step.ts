import * as path from 'node:path';
import { BuildError } from '../../errors';
import { sourceKind } from '../../dockerfile/instructions/copy-values';
import { parseGitRef, withAddFlags } from '../../dockerfile/instructions/git-ref';
import type { AddInstruction, CopyInstruction, RunInstruction } from '../../dockerfile/instructions/instruction';
import type { Stage } from '../../dockerfile/instructions/stages';
import type { Mount } from '../../dockerfile/instructions/types';
import { parseDigest } from '../../oci/digest';
import { formatReference, parseReference } from '../../oci/reference';
import { destPathOf } from '../context/dest-path';
import { withShell } from '../exec/dispatch-meta';
import type { StageState } from '../exec/stage-state';
import { stageIndexOf } from './plan-stages';
import type { PlannedSource } from './plan-types';

const invalid = (message: string, details: Record<string, unknown> = {}): BuildError => new BuildError('BUILD_INSTRUCTION_INVALID', message, details);

/** What a step's resolution adds to the whole plan. */
export interface PlanNeeds {
  secrets: Map<string, boolean>;
  ssh: Map<string, boolean>;
  entitlements: Set<string>;
}

/** A step's place: the Dockerfile's stages, the one being planned, and what the plan collects. */
export interface StepScope {
  stages: readonly Stage[];
  stageIndex: number;
  needs: PlanNeeds;
}

/** `--from` / `from=`: an earlier stage, else an image reference (which must parse). */
export function resolveFrom(scope: StepScope, from: string): PlannedSource {
  const i = stageIndexOf(scope.stages, from, scope.stageIndex);
  if (i !== undefined) return { kind: 'stage', stage: i };
  if (scope.stages.some((s, k) => k >= scope.stageIndex && s.name === from.toLowerCase())) {
    throw new BuildError('BUILD_STAGE_CYCLE', `stage "${from}" is not defined before it is used (circular dependency)`, { stage: from });
  }
  if (from.toLowerCase() === 'scratch') return { kind: 'scratch' };
  try {
    return { kind: 'image', ref: formatReference(parseReference(from)) };
  } catch (err) {
    throw new BuildError('BUILD_BASE_NOT_FOUND', `invalid image reference "${from}": ${(err as Error).message}`, { image: from }, { cause: err });
  }
}

/** One RUN mount as BuildKit's dispatchRunMounts resolves it (target against WORKDIR, cache id, secret/ssh defaults). */
function planMount(scope: StepScope, m: Mount, workdir: string, sshIndex: () => number): Record<string, unknown> {
  let target = m.target ?? '';
  if (m.type === 'secret' && target === '') target = `/run/secrets/${m.id ?? path.posix.basename(m.source ?? '')}`;
  else if (m.type === 'ssh' && target === '') target = `/run/buildkit/ssh_agent.${sshIndex()}`;
  else target = path.posix.resolve('/', workdir, target);
  if (target === '/') throw invalid(`invalid mount target "${target}"`, { type: m.type });
  const out: Record<string, unknown> = { type: m.type, target, readOnly: m.readOnly };
  if (m.type === 'secret') {
    const id = m.id ?? path.posix.basename(m.source ?? target);
    scope.needs.secrets.set(id, (scope.needs.secrets.get(id) ?? false) || m.required);
    Object.assign(out, { id, required: m.required, ...(m.env ? { env: m.env } : {}) });
  } else if (m.type === 'ssh') {
    if (m.source) throw invalid('ssh does not support source');
    const id = m.id ?? 'default';
    scope.needs.ssh.set(id, (scope.needs.ssh.get(id) ?? false) || m.required);
    Object.assign(out, { id, required: m.required });
  } else {
    if (m.type === 'cache') Object.assign(out, { id: m.id || path.posix.normalize(m.target ?? target), sharing: m.sharing ?? 'shared' });
    if (m.type === 'tmpfs' && m.sizeLimit > 0) out.size = m.sizeLimit;
    if (m.type !== 'tmpfs') out.from = m.from ? resolveFrom(scope, m.from) : m.type === 'cache' ? { kind: 'scratch' } : { kind: 'context' };
    if (m.source) out.source = path.posix.join('/', m.source);
  }
  for (const k of ['mode', 'uid', 'gid'] as const) if (m[k] !== undefined) out[k] = m[k];
  return out;
}

/** RUN: argv, heredocs, network, security, devices and every mount resolved. */
export function planRun(scope: StepScope, st: StageState, ins: RunInstruction): Record<string, unknown> {
  const workdir = st.config.config.WorkingDir || '/';
  let ssh = 0;
  const mounts = ins.mounts.map((m, i) => {
    if (m === undefined) throw invalid(`invalid --mount ${ins.mountSpecs[i]}`);
    return planMount(scope, m, workdir, () => ssh++);
  });
  if (ins.security === 'insecure') scope.needs.entitlements.add('security.insecure');
  if (ins.network === 'host') scope.needs.entitlements.add('network.host');
  for (const d of ins.devices) scope.needs.entitlements.add(`device=${d.name}`);
  const heredocs = ins.files.map((f) => ({ name: f.name, chomp: f.chomp, ...(f.data.startsWith('#!') ? { interpreter: f.data.slice(2, f.data.indexOf('\n') < 0 ? undefined : f.data.indexOf('\n')).trim() } : {}) }));
  return {
    argv: ins.prependShell ? withShell(st, ins.cmdLine) : [...ins.cmdLine],
    ...(heredocs.length > 0 ? { heredocs } : {}),
    network: ins.network,
    security: ins.security,
    ...(ins.devices.length > 0 ? { devices: ins.devices } : {}),
    ...(mounts.length > 0 ? { mounts } : {}),
    workdir,
    ...(st.config.config.User ? { user: st.config.config.User } : {}),
  };
}

/** COPY/ADD: sources by kind, destination against WORKDIR, every flag (BuildKit's dispatchCopy checks). */
export function planCopy(scope: StepScope, st: StageState, ins: CopyInstruction | AddInstruction): Record<string, unknown> {
  const isAdd = ins.kind === 'ADD';
  const from = ins.kind === 'COPY' && ins.from !== undefined ? resolveFrom(scope, ins.from) : undefined;
  const sources = ins.sources.map((src) => {
    const kind = from !== undefined ? 'stage' : sourceKind(src);
    if (!isAdd && kind === 'git') throw invalid("source can't be a git ref for COPY", { source: src });
    // a bad fragment or query, or a flag that contradicts it, is ADD_GIT_REF_INVALID, as the build says
    if (kind === 'git' && ins.kind === 'ADD') {
      // an ssh remote is fetched through the `--ssh default` agent, which the build then requires
      if (withAddFlags(parseGitRef(src)!, ins, src).scheme === 'ssh') scope.needs.ssh.set('default', true);
    }
    if (!isAdd && kind === 'url') throw invalid("source can't be a URL for COPY", { source: src });
    return { path: src, kind };
  });
  const out: Record<string, unknown> = {
    sources,
    ...(ins.sourceContents.length > 0 ? { heredocs: ins.sourceContents.map((c) => ({ name: c.path, expand: c.expand })) } : {}),
    dest: destPathOf(ins.dest, st.config.config.WorkingDir || '/'),
    ...(from ? { from } : {}),
    ...(ins.chown ? { chown: ins.chown.raw } : {}),
    ...(ins.chmod ? { chmod: ins.chmod.raw } : {}),
    link: ins.link,
    ...(ins.excludes.length > 0 ? { excludes: ins.excludes } : {}),
  };
  if (ins.kind === 'COPY') out.parents = ins.parents;
  if (ins.kind === 'ADD') {
    if (ins.checksum !== undefined && ins.checksum !== '') {
      if (ins.sources.length !== 1) throw invalid("checksum can't be specified for multiple sources");
      const kind = sources[0]!.kind;
      if (kind !== 'url' && kind !== 'git') throw invalid('checksum requires HTTP(S) or Git sources');
      if (kind === 'url') parseDigest(ins.checksum);
      else if (!/^[0-9a-f]{1,64}$/i.test(ins.checksum)) throw invalid(`invalid git checksum ${JSON.stringify(ins.checksum)}: want a commit hash`);
      out.checksum = ins.checksum;
    }
    if (ins.keepGitDir !== undefined) out.keepGitDir = ins.keepGitDir;
    if (ins.unpack !== undefined) out.unpack = ins.unpack;
  }
  return out;
}
