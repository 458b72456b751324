/** Options every runc verb takes (runc's global flags). */
export interface RuncGlobalOptions {
  /** the runc binary (default `runc` on PATH) */
  binary?: string;
  /** runc's state directory (`--root`; default /run/runc, or $XDG_RUNTIME_DIR/runc rootless) */
  root?: string;
  /** `--rootless true|false|auto` */
  rootless?: boolean | 'auto';
  /** `--systemd-cgroup` */
  systemdCgroup?: boolean;
  /** `--log FILE` */
  log?: string;
  /** `--debug` */
  debug?: boolean;
}

export interface CreateOptions extends RuncGlobalOptions {
  /** the bundle directory (config.json + rootfs) */
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
}

export interface RunOptions extends CreateOptions {
  /** `--detach`: return once the process started */
  detach?: boolean;
  /** `--keep`: keep the container's state after it exits (default: runc deletes it) */
  keep?: boolean;
}

export interface KillOptions extends RuncGlobalOptions {
  /** send to every process of the container (`--all`) */
  all?: boolean;
}

export interface DeleteOptions extends RuncGlobalOptions {
  /** kill a running container first (`--force`) */
  force?: boolean;
}

/** `runc state ID` output (the runtime spec's state). */
export interface ContainerState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped' | 'paused';
  pid: number;
  bundle: string;
  rootfs?: string;
  created?: string;
  annotations?: Record<string, string>;
}

export type Verb = 'create' | 'start' | 'run' | 'kill' | 'delete' | 'state' | 'list';
