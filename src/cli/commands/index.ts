import type { CommandModule } from '../command';
import { bundleCommand } from './bundle';
import { checkCommand } from './check';
import { diffCommand } from './diff';
import { historyCommand } from './history';
import { imagesCommand } from './images';
import { inspectCommand } from './inspect';
import { loadCommand } from './load';
import { loginCommand } from './login';
import { lxcCommand } from './lxc';
import { logoutCommand } from './logout';
import { pruneCommand } from './prune';
import { pullCommand } from './pull';
import { pushCommand } from './push';
import { runCommand } from './run';
import { rmiCommand } from './rmi';
import { saveCommand } from './save';
import { tagCommand } from './tag';

/** Every `hoist` subcommand, one line each. */
export const COMMANDS: CommandModule[] = [
  imagesCommand,
  inspectCommand,
  historyCommand,
  diffCommand,
  tagCommand,
  rmiCommand,
  pruneCommand,
  saveCommand,
  loadCommand,
  pullCommand,
  pushCommand,
  loginCommand,
  logoutCommand,
  checkCommand,
  bundleCommand,
  runCommand,
  lxcCommand,
];
