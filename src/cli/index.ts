export { main } from './main';
export type { CliContext } from './context';
export type { CommandModule } from './command';
