import type { CreateOptions, DeleteOptions, KillOptions, RuncGlobalOptions, RunOptions, Verb } from './types';

type VerbOptions = RuncGlobalOptions & Partial<RunOptions & KillOptions & DeleteOptions & CreateOptions>;

const flag = (on: boolean | undefined, name: string): string[] => (on ? [name] : []);
const value = (v: string | undefined, name: string): string[] => (v !== undefined ? [name, v] : []);

/**
 * The one place runc's command line is made: the binary, global flags, the
 * verb, its flags, then positional arguments (container ID, signal). An argv
 * array for spawn, never a shell string.
 */
export function runcArgv(verb: Verb, options: VerbOptions, positional: string[] = []): string[] {
  const argv = [options.binary ?? 'runc'];
  argv.push(...value(options.root, '--root'), ...value(options.log, '--log'), ...flag(options.debug, '--debug'));
  argv.push(...flag(options.systemdCgroup, '--systemd-cgroup'));
  if (options.rootless !== undefined) argv.push('--rootless', String(options.rootless));
  argv.push(verb);
  switch (verb) {
    case 'create':
    case 'run':
      argv.push(...value(options.bundle, '--bundle'), ...value(options.pidFile, '--pid-file'), ...value(options.consoleSocket, '--console-socket'));
      argv.push(...flag(options.noPivot, '--no-pivot'), ...flag(options.noNewKeyring, '--no-new-keyring'));
      if (verb === 'run') argv.push(...flag(options.detach, '--detach'), ...flag(options.keep, '--keep'));
      break;
    case 'kill':
      argv.push(...flag(options.all, '--all'));
      break;
    case 'delete':
      argv.push(...flag(options.force, '--force'));
      break;
    case 'list':
      argv.push('--format', 'json');
      break;
    default:
      break;
  }
  return [...argv, ...positional];
}
