export type { RuncGlobalOptions, CreateOptions, RunOptions, KillOptions, DeleteOptions, ContainerState, Verb } from './types';
export { runcArgv } from './runc-argv';
export { create, start, kill, deleteContainer, deleteContainer as delete, state, list } from './runc';
export { run, type RunIo, type RunResult } from './run';
export { exitStatusOf, signalNumber } from './exit-status';
export { ContainerDirs, type ContainerRecord } from './container-dirs';
