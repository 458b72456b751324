import { ConvertError } from '../../errors';
import type { ExecUser } from '../user/resolve-user';
import { DEFAULT_PATH } from './default-spec';
import type { SpecOpt } from './types';

function envName(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/** Whether `env` sets `name` (K=V entries). */
export function hasEnv(env: readonly string[], name: string): boolean {
  return env.some((e) => envName(e) === name);
}

/** Set or replace K=V entries by name, keeping the order of the rest (docker's -e over the image's Env). */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  for (const entry of overrides) {
    const i = out.findIndex((e) => envName(e) === envName(entry));
    if (i >= 0) out[i] = entry;
    else out.push(entry);
  }
  return out;
}

/** process.args = entrypoint ++ cmd; an empty result is CONVERT_BUNDLE_NO_COMMAND. */
export function withProcessArgs(entrypoint: readonly string[], cmd: readonly string[]): SpecOpt {
  return (spec) => {
    const args = [...entrypoint, ...cmd];
    if (args.length === 0) {
      throw new ConvertError('CONVERT_BUNDLE_NO_COMMAND', 'no command specified: the image has no Entrypoint or Cmd, and none was given', {});
    }
    spec.process.args = args;
  };
}

/** Environment entries, set or replaced by name. */
export function withEnv(env: readonly string[]): SpecOpt {
  return (spec) => {
    spec.process.env = mergeEnv(spec.process.env, env);
  };
}

/** PATH=docker's default, only when the environment has no PATH. */
export function withDefaultPath(): SpecOpt {
  return (spec) => {
    if (!hasEnv(spec.process.env, 'PATH')) spec.process.env.unshift(DEFAULT_PATH);
  };
}

/** The resolved user (uid, gid, supplementary groups); HOME from passwd when the environment has none. */
export function withUser(user: ExecUser): SpecOpt {
  return (spec) => {
    spec.process.user = { uid: user.uid, gid: user.gid };
    if (user.additionalGids.length > 0) spec.process.user.additionalGids = [...user.additionalGids];
    if (!hasEnv(spec.process.env, 'HOME')) spec.process.env.push(`HOME=${user.home || '/'}`);
  };
}

/** The working directory (absolute; relative paths are taken from /, as docker does). */
export function withCwd(cwd: string | undefined): SpecOpt {
  return (spec) => {
    if (cwd !== undefined && cwd !== '') spec.process.cwd = cwd.startsWith('/') ? cwd : `/${cwd}`;
  };
}

/** A terminal for the process (`-t`); TERM=xterm as docker sets it when the image has none. */
export function withTerminal(terminal: boolean): SpecOpt {
  return (spec) => {
    spec.process.terminal = terminal;
    if (terminal && !hasEnv(spec.process.env, 'TERM')) spec.process.env.push('TERM=xterm');
  };
}
