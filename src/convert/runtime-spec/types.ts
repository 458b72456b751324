/**
 * The part of the OCI runtime spec (config.json, 1.0.x) hoist writes. Field
 * names are the spec's own; optional fields are left out rather than empty.
 */
export interface RuntimeSpec {
  ociVersion: string;
  process: SpecProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: SpecMount[];
  annotations?: Record<string, string>;
  linux: SpecLinux;
}

export interface SpecProcess {
  terminal?: boolean;
  user: { uid: number; gid: number; additionalGids?: number[]; umask?: number };
  args: string[];
  env: string[];
  cwd: string;
  capabilities?: {
    bounding?: string[];
    effective?: string[];
    permitted?: string[];
    inheritable?: string[];
    ambient?: string[];
  };
  rlimits?: { type: string; hard: number; soft: number }[];
  noNewPrivileges?: boolean;
}

export interface SpecMount {
  destination: string;
  type?: string;
  /** for bind mounts: absolute, or relative to the bundle directory */
  source?: string;
  options?: string[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface SpecLinux {
  namespaces: { type: NamespaceType; path?: string }[];
  uidMappings?: IdMapping[];
  gidMappings?: IdMapping[];
  resources?: { devices?: { allow: boolean; access?: string; type?: string; major?: number; minor?: number }[] };
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/**
 * One change to a spec (containerd's SpecOpts): `toRuntimeSpec` applies a
 * list of these, in order, to a fresh default spec it owns, so each may
 * mutate the spec it is given.
 */
export type SpecOpt = (spec: RuntimeSpec) => void;
