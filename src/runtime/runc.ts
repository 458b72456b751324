import { isHoistError } from '../errors';
import { execRunc } from './exec-runc';
import { runcArgv } from './runc-argv';
import type { ContainerState, CreateOptions, DeleteOptions, KillOptions, RuncGlobalOptions } from './types';

/** `runc create`: set the container up (namespaces, mounts) without starting its process. */
export async function create(id: string, options: CreateOptions, signal?: AbortSignal): Promise<void> {
  await execRunc(runcArgv('create', options, [id]), signal);
}

/** `runc start`: run the process of a created container. */
export async function start(id: string, options: RuncGlobalOptions = {}, signal?: AbortSignal): Promise<void> {
  await execRunc(runcArgv('start', options, [id]), signal);
}

/** `runc kill ID SIGNAL` (default SIGTERM). */
export async function kill(id: string, sig: NodeJS.Signals | string = 'SIGTERM', options: KillOptions = {}): Promise<void> {
  await execRunc(runcArgv('kill', options, [id, sig.replace(/^SIG/, '')]));
}

/** `runc delete [--force] ID`: remove its state (and with force, kill it first). */
export async function deleteContainer(id: string, options: DeleteOptions = {}): Promise<void> {
  await execRunc(runcArgv('delete', options, [id]));
}

/** `runc state ID`, parsed; undefined when runc knows no such container. */
export async function state(id: string, options: RuncGlobalOptions = {}): Promise<ContainerState | undefined> {
  try {
    return JSON.parse((await execRunc(runcArgv('state', options, [id]))).stdout) as ContainerState;
  } catch (err) {
    if (isHoistError(err, 'RUNTIME_CONTAINER_NOT_FOUND')) return undefined;
    throw err;
  }
}

/** `runc list --format json`: every container runc's state directory holds. */
export async function list(options: RuncGlobalOptions = {}): Promise<ContainerState[]> {
  const out = (await execRunc(runcArgv('list', options))).stdout.trim();
  return out === '' || out === 'null' ? [] : (JSON.parse(out) as ContainerState[]);
}
