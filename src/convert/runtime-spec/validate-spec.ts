import { ConvertError } from '../../errors';
import type { IdMapping, RuntimeSpec } from './types';

const NAMESPACES = new Set(['pid', 'network', 'mount', 'ipc', 'uts', 'user', 'cgroup']);
const CAP = /^CAP_[A-Z_]+$/;
const RLIMIT = /^RLIMIT_[A-Z]+$/;
const MAX_ID = 2 ** 32 - 1;

function isId(n: unknown): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_ID;
}

function checkMappings(problems: string[], what: string, maps: IdMapping[] | undefined): void {
  for (const m of maps ?? []) {
    if (!isId(m.containerID) || !isId(m.hostID) || !isId(m.size) || m.size < 1) problems.push(`linux.${what}: bad mapping ${JSON.stringify(m)}`);
  }
}

/**
 * The OCI runtime spec's rules that can be checked without a host: every
 * problem found, as `field: why` lines (empty when the spec is valid).
 * See docs/bundle.md for the list.
 */
export function runtimeSpecProblems(spec: RuntimeSpec): string[] {
  const p: string[] = [];
  if (!/^1\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(spec.ociVersion)) p.push(`ociVersion: ${JSON.stringify(spec.ociVersion)} is not a 1.x SemVer`);
  if (typeof spec.root?.path !== 'string' || spec.root.path === '') p.push('root.path: required');
  const proc = spec.process;
  if (!Array.isArray(proc.args) || proc.args.length === 0) p.push('process.args: at least one entry is required');
  if (!proc.cwd.startsWith('/')) p.push(`process.cwd: ${JSON.stringify(proc.cwd)} must be absolute`);
  for (const e of proc.env) if (!/^[^=]+=/.test(e)) p.push(`process.env: ${JSON.stringify(e)} is not NAME=VALUE`);
  if (!isId(proc.user.uid) || !isId(proc.user.gid)) p.push('process.user: uid and gid must be 32-bit unsigned integers');
  for (const g of proc.user.additionalGids ?? []) if (!isId(g)) p.push(`process.user.additionalGids: ${g} is not a gid`);
  for (const [set, caps] of Object.entries(proc.capabilities ?? {})) {
    for (const c of caps as string[]) if (!CAP.test(c)) p.push(`process.capabilities.${set}: ${JSON.stringify(c)} is not a capability name`);
  }
  const types = new Set<string>();
  for (const r of proc.rlimits ?? []) {
    if (!RLIMIT.test(r.type)) p.push(`process.rlimits: ${JSON.stringify(r.type)} is not an RLIMIT_* name`);
    if (types.has(r.type)) p.push(`process.rlimits: ${r.type} appears twice`);
    types.add(r.type);
  }
  for (const m of spec.mounts) {
    if (!m.destination.startsWith('/')) p.push(`mounts: destination ${JSON.stringify(m.destination)} must be absolute`);
    if (m.type === 'bind' && (m.source === undefined || m.source === '')) p.push(`mounts: bind mount at ${m.destination} has no source`);
  }
  const seen = new Set<string>();
  for (const ns of spec.linux.namespaces) {
    if (!NAMESPACES.has(ns.type)) p.push(`linux.namespaces: unknown type ${JSON.stringify(ns.type)}`);
    if (seen.has(ns.type)) p.push(`linux.namespaces: ${ns.type} appears twice`);
    seen.add(ns.type);
  }
  const hasUserNs = seen.has('user');
  if (!hasUserNs && (spec.linux.uidMappings !== undefined || spec.linux.gidMappings !== undefined)) {
    p.push('linux.uidMappings: mappings need a user namespace');
  }
  if (hasUserNs && ((spec.linux.uidMappings ?? []).length === 0 || (spec.linux.gidMappings ?? []).length === 0)) {
    p.push('linux.uidMappings: a new user namespace needs uid and gid mappings');
  }
  checkMappings(p, 'uidMappings', spec.linux.uidMappings);
  checkMappings(p, 'gidMappings', spec.linux.gidMappings);
  if (spec.hostname !== undefined && spec.hostname !== '' && !seen.has('uts')) p.push('hostname: setting it needs a uts namespace');
  for (const path of [...(spec.linux.maskedPaths ?? []), ...(spec.linux.readonlyPaths ?? [])]) {
    if (!path.startsWith('/')) p.push(`linux.maskedPaths/readonlyPaths: ${JSON.stringify(path)} must be absolute`);
  }
  for (const key of Object.keys(spec.annotations ?? {})) if (key === '') p.push('annotations: keys must not be empty');
  return p;
}

/** Throws CONVERT_BUNDLE_SPEC_INVALID listing every problem `runtimeSpecProblems` finds. */
export function validateRuntimeSpec(spec: RuntimeSpec): void {
  const problems = runtimeSpecProblems(spec);
  if (problems.length > 0) {
    throw new ConvertError('CONVERT_BUNDLE_SPEC_INVALID', `invalid runtime spec: ${problems.join('; ')}`, { problems });
  }
}
