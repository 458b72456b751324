import * as path from 'node:path';
import { ConvertError } from '../../errors';
import type { ContainerConfig } from '../../oci/manifest';

export type LxcMode = 'app' | 'system';

/** What the container runs, and under which key. */
export interface LxcCommand {
  mode: LxcMode;
  /** `lxc.execute.cmd` (app: lxc-execute, with LXC's own lxc-init as PID 1) or `lxc.init.cmd` (system: lxc-start) */
  key: 'lxc.execute.cmd' | 'lxc.init.cmd';
  argv: string[];
}

/** Program names that are a system's init (PID 1 that reaps, runs services and shuts down on a signal). */
const INITS = new Set(['init', 'systemd', 'openrc-init', 'runit-init', 'runit', 'upstart', 's6-svscan', 'sinit', 'finit']);

/** Whether an argv starts a real init (by program name, as `/sbin/init` or `/lib/systemd/systemd`). */
export function isInitCommand(argv: readonly string[]): boolean {
  const prog = argv[0];
  if (prog === undefined) return false;
  if (INITS.has(path.posix.basename(prog))) return true;
  return path.posix.basename(prog) === 'busybox' && argv[1] === 'init';
}

/** The image's argv as docker runs it: Entrypoint then Cmd. */
export function imageArgv(config: ContainerConfig | undefined): string[] {
  return [...(config?.Entrypoint ?? []), ...(config?.Cmd ?? [])];
}

/**
 * Choose what runs and how. `mode` undefined means: system when the image's
 * command is an init, else app. System mode runs the image's init as
 * `lxc.init.cmd`; if the command is not an init, the image's `/sbin/init`
 * (`hasSbinInit`) is used, else CONVERT_LXC_NO_INIT. App mode runs the
 * image's command as `lxc.execute.cmd`. No command at all is
 * CONVERT_LXC_NO_COMMAND (never a silent /bin/sh, as lxc-oci does).
 */
export function chooseLxcCommand(config: ContainerConfig | undefined, mode: LxcMode | undefined, hasSbinInit: boolean): LxcCommand {
  const argv = imageArgv(config);
  const init = isInitCommand(argv);
  const effective: LxcMode = mode ?? (init ? 'system' : 'app');
  if (effective === 'system') {
    if (init) return { mode: 'system', key: 'lxc.init.cmd', argv };
    if (hasSbinInit) return { mode: 'system', key: 'lxc.init.cmd', argv: ['/sbin/init'] };
    throw new ConvertError(
      'CONVERT_LXC_NO_INIT',
      `--mode system needs an init, but the image's command ${JSON.stringify(argv)} is not one and the image has no /sbin/init; use --mode app`,
      { argv },
    );
  }
  if (argv.length === 0) {
    throw new ConvertError('CONVERT_LXC_NO_COMMAND', 'the image has no Entrypoint and no Cmd: there is nothing for lxc-execute to run', {});
  }
  return { mode: 'app', key: 'lxc.execute.cmd', argv };
}
