/* eslint-disable @typescript-eslint/no-require-imports */
import type { CommandModule } from '../command';

/**
 * Every `hoist` subcommand, one line each, by name and loaded on demand: a
 * command line loads and registers only its own module (commander's option
 * parsing and the modules' imports of all 17 cost ~20% of `hoist images`).
 */
export const COMMAND_LOADERS: ReadonlyArray<readonly [string, () => CommandModule]> = [
  ['build', () => (require('./build') as typeof import('./build')).buildCommand],
  ['images', () => (require('./images') as typeof import('./images')).imagesCommand],
  ['inspect', () => (require('./inspect') as typeof import('./inspect')).inspectCommand],
  ['history', () => (require('./history') as typeof import('./history')).historyCommand],
  ['diff', () => (require('./diff') as typeof import('./diff')).diffCommand],
  ['tag', () => (require('./tag') as typeof import('./tag')).tagCommand],
  ['rmi', () => (require('./rmi') as typeof import('./rmi')).rmiCommand],
  ['prune', () => (require('./prune') as typeof import('./prune')).pruneCommand],
  ['save', () => (require('./save') as typeof import('./save')).saveCommand],
  ['load', () => (require('./load') as typeof import('./load')).loadCommand],
  ['pull', () => (require('./pull') as typeof import('./pull')).pullCommand],
  ['push', () => (require('./push') as typeof import('./push')).pushCommand],
  ['login', () => (require('./login') as typeof import('./login')).loginCommand],
  ['logout', () => (require('./logout') as typeof import('./logout')).logoutCommand],
  ['check', () => (require('./check') as typeof import('./check')).checkCommand],
  ['bundle', () => (require('./bundle') as typeof import('./bundle')).bundleCommand],
  ['run', () => (require('./run') as typeof import('./run')).runCommand],
  ['lxc', () => (require('./lxc') as typeof import('./lxc')).lxcCommand],
  ['pack', () => (require('./pack') as typeof import('./pack')).packCommand],
  ['system', () => (require('./system') as typeof import('./system')).systemCommand],
];

/** Global options that take a value (their value is not the subcommand). */
const GLOBAL_WITH_VALUE = new Set(['--root']);

/** Global options that make commander print and stop before any subcommand runs. */
const VERSION_FLAGS = new Set(['-v', '--version']);

/**
 * The modules to register for `argv`: the named subcommand's alone, none for
 * `--version` before it, or all of them when there is none (help, a typo:
 * commander then lists or suggests).
 */
export function commandsFor(argv: readonly string[]): CommandModule[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') break;
    if (VERSION_FLAGS.has(a)) return [];
    if (GLOBAL_WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    const hit = COMMAND_LOADERS.find(([name]) => name === a);
    return hit ? [hit[1]()] : allCommands();
  }
  return allCommands();
}

export function allCommands(): CommandModule[] {
  return COMMAND_LOADERS.map(([, load]) => load());
}
