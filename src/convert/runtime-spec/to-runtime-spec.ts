import type { ImageConfig } from '../../oci/manifest';
import type { ExecUser } from '../user/resolve-user';
import { defaultSpec } from './default-spec';
import { imageAnnotations } from './image-annotations';
import { withBindMounts, withEtcFiles, withVolumes, type BindMount, type EtcFiles } from './spec-opts-mounts';
import { withAnnotations, withHostname, withNetwork, withRootless, type NetworkMode } from './spec-opts-linux';
import { withCwd, withDefaultPath, withEnv, withProcessArgs, withTerminal, withUser } from './spec-opts-process';
import type { RuntimeSpec, SpecOpt } from './types';

export interface RuntimeSpecOptions {
  /** the user, already resolved against the rootfs (`resolveUser`); default root */
  user?: ExecUser;
  /** replaces the image's Entrypoint (docker's `--entrypoint`: also clears Cmd unless `cmd` is given) */
  entrypoint?: string[];
  /** replaces the image's Cmd (`hoist run IMAGE CMD...`) */
  cmd?: string[];
  /** K=V entries set over the image's Env */
  env?: string[];
  cwd?: string;
  hostname?: string;
  /** default `none`: a network namespace of its own */
  network?: NetworkMode;
  terminal?: boolean;
  binds?: BindMount[];
  /** bundle-relative files bind-mounted to /etc/hosts, /etc/resolv.conf, /etc/hostname */
  etcFiles?: EtcFiles;
  /** map container root to these host ids in a user namespace (runc's ToRootless) */
  rootless?: { uid: number; gid: number };
  annotations?: Record<string, string>;
  /** applied last: the builder's hook for anything else */
  extra?: SpecOpt[];
}

/** The option functions `toRuntimeSpec` applies, in order (exported so callers can see and extend the list). */
export function specOptsFor(image: ImageConfig, options: RuntimeSpecOptions = {}): SpecOpt[] {
  const c = image.config ?? {};
  const entrypoint = options.entrypoint ?? c.Entrypoint ?? [];
  const cmd = options.cmd ?? (options.entrypoint !== undefined ? [] : (c.Cmd ?? []));
  const opts: SpecOpt[] = [
    withProcessArgs(entrypoint, cmd),
    withEnv(c.Env ?? []),
    withDefaultPath(),
    withEnv(options.env ?? []),
    withCwd(options.cwd ?? c.WorkingDir),
  ];
  if (options.hostname !== undefined) opts.push(withHostname(options.hostname));
  if (options.user !== undefined) opts.push(withUser(options.user));
  opts.push(
    withTerminal(options.terminal ?? false),
    withNetwork(options.network ?? 'none'),
    withVolumes(Object.keys(c.Volumes ?? {})),
    withEtcFiles(options.etcFiles ?? {}),
    withBindMounts(options.binds ?? []),
    withAnnotations({ ...imageAnnotations(image), ...(options.annotations ?? {}) }),
  );
  if (options.rootless !== undefined) opts.push(withRootless(options.rootless));
  return [...opts, ...(options.extra ?? [])];
}

/**
 * An image config and options -> an OCI runtime spec (containerd's
 * WithImageConfig + SpecOpts, umoci's ToRuntimeSpec): a pure function that
 * applies small option functions to docker's default spec. Nothing here
 * reads the filesystem; the user is resolved by the caller.
 */
export function toRuntimeSpec(image: ImageConfig, options: RuntimeSpecOptions = {}): RuntimeSpec {
  const spec = defaultSpec();
  for (const opt of specOptsFor(image, options)) opt(spec);
  return spec;
}
