import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError, UsageError } from '../../errors';
import type { NetworkMode } from '../../convert';
import type { ImageRecord } from '../../image';
import type { ContainerDirs, ContainerRecord } from '../../runtime';
import type { Store } from '../../store';
import { unmountStackSync } from '../../snapshot/mount';
import { runProcessSync } from '../../sys';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';
import type { CliContext } from '../context';

interface RunFlags {
  rm?: boolean;
  env: string[];
  envFile: string[];
  volume: string[];
  user?: string;
  groupAdd: string[];
  workdir?: string;
  entrypoint?: string;
  network?: string;
  hostname?: string;
  interactive?: boolean;
  tty?: boolean;
  name?: string;
  force?: boolean;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

export function networkOf(flag: string | undefined): NetworkMode {
  if (flag === undefined || flag === 'none' || flag === 'host') return flag ?? 'none';
  throw new UsageError('USAGE', `--network must be host or none, not ${JSON.stringify(flag)} (hoist has no bridge network)`);
}

/** The image from the store, pulled first when it is not there (docker run's "Unable to find image locally"). */
export async function imageForRun(ctx: CliContext, store: Store, ref: string): Promise<ImageRecord> {
  const { resolveImage } = lazy.resolveImage();
  try {
    return await resolveImage(store, ref);
  } catch (err) {
    if (!isHoistError(err, 'IMAGE_NOT_FOUND')) throw err;
  }
  ctx.stderr.write(`Unable to find image '${ref}' locally\n`);
  const { pullImage } = lazy.registry();
  await pullImage(store, ref, { signal: ctx.signal, clientOptions: { env: ctx.env } });
  return resolveImage(store, ref);
}

/** Kill and forget runc's container, unmount and remove the bundle; synchronous, for the `exit` event too. */
function cleanupSync(store: Store, dirs: ContainerDirs, record: ContainerRecord, remove: boolean): void {
  runProcessSync(['runc', 'delete', '--force', record.id]);
  unmountStackSync(path.join(dirs.bundle(record.id), 'rootfs'), { detach: true, max: 4 });
  if (remove) removeSync(store, dirs, record);
}

/**
 * After `runc run` returned (it deleted its state) with `--rm`: unmount and
 * remove the container as `cleanup` does, in synchronous calls. Nothing else
 * runs any more, and each asynchronous call is a round trip through libuv's
 * thread pool (~20 of them here) that a loaded machine lengthens.
 */
function removeAfterRunSync(store: Store, dirs: ContainerDirs, record: ContainerRecord, mounted: boolean): void {
  // as snapshot/mount.ts's unmountAt: everything stacked there, lazily when busy (a rootfs that
  // runc mounted went with the container's mount namespace: no native binding loaded for it)
  if (mounted) unmountStackSync(path.join(dirs.bundle(record.id), 'rootfs'), { detach: false, max: 16 });
  removeSync(store, dirs, record);
}

/** The container's directory, its layer-use record and its name (if it still names this container). */
function removeSync(store: Store, dirs: ContainerDirs, record: ContainerRecord): void {
  fs.rmSync(dirs.dir(record.id), { recursive: true, force: true });
  fs.rmSync(lazy.layerUse().layerUseFile(store.paths, dirs.bundle(record.id)), { force: true });
  const name = path.join(dirs.root, 'names', record.name);
  let holder: string | undefined;
  try {
    holder = fs.readFileSync(name, 'utf8');
  } catch {
    // no name (any more)
  }
  if (holder?.trim() === record.id) fs.rmSync(name, { force: true });
}

/**
 * Undo a container completely: runc state, mount, directories, name.
 * `runcDone`: `runc run` returned, so it has deleted its own state (no
 * `runc state`/`runc delete` processes then).
 */
async function cleanup(store: Store, dirs: ContainerDirs, record: ContainerRecord, remove: boolean, runcDone = false): Promise<void> {
  const { deleteContainer, state } = lazy.runtime();
  const { removeBundle, unmountBundle } = lazy.bundle();
  const { releaseLayerUse } = lazy.layerUse();
  if (!runcDone && (await state(record.id).catch(() => undefined)) !== undefined) await deleteContainer(record.id, { force: true }).catch(() => undefined);
  if (remove) {
    await removeBundle(dirs.bundle(record.id));
    await releaseLayerUse(store.paths, dirs.bundle(record.id));
    await dirs.release(record);
  } else await unmountBundle(dirs.bundle(record.id));
}

async function allocate(store: Store, dirs: ContainerDirs, name: string | undefined, image: string, force: boolean): Promise<ContainerRecord> {
  try {
    return await dirs.allocate({ ...(name !== undefined ? { name } : {}), image });
  } catch (err) {
    if (!force || name === undefined || !isHoistError(err, 'RUNTIME_CONTAINER_EXISTS')) throw err;
    const old = await dirs.findByName(name);
    if (old !== undefined) await cleanup(store, dirs, old, true);
    return dirs.allocate({ name, image });
  }
}

function envOf(ctx: CliContext, opts: RunFlags, parseEnvFile: (text: string, env: NodeJS.ProcessEnv) => string[]): string[] {
  const fromFiles = opts.envFile.flatMap((f) => parseEnvFile(fs.readFileSync(path.resolve(ctx.cwd, f), 'utf8'), ctx.env));
  const fromFlags = opts.env.map((e) => (e.includes('=') ? e : ctx.env[e] !== undefined ? `${e}=${ctx.env[e]}` : '')).filter((e) => e !== '');
  return [...fromFiles, ...fromFlags];
}

export const runCommand: CommandModule = {
  register(program, ctx, setExit) {
    // `hoist run IMAGE sh -c X`: options after IMAGE belong to the command (docker's parsing);
    // commander needs positional options on the program for that (globals go before the subcommand)
    program.enablePositionalOptions();
    program
      .command('run')
      .description('Run a command in a new container (an overlay bundle run by runc); exits with its status')
      .argument('<image>', 'image (pulled when missing)')
      .argument('[command...]', 'command and arguments (replace the image\'s Cmd)')
      .option('--rm', 'remove the container (mounts, directories, runc state) when it exits')
      .option('-e, --env <K=V>', 'set an environment variable (repeatable)', collect, [])
      .option('--env-file <file>', 'read K=V lines from a file (repeatable)', collect, [])
      .option('-v, --volume <SRC:DST[:ro]>', 'bind mount a host path (repeatable)', collect, [])
      .option('-u, --user <user>', 'name|uid[:group|gid]')
      .option('--group-add <group>', 'add a supplementary group (name or gid; repeatable)', collect, [])
      .option('-w, --workdir <dir>', 'working directory inside the container')
      .option('--entrypoint <cmd>', 'override the image\'s ENTRYPOINT (empty string: none)')
      .option('--network <mode>', 'none (default: own network namespace, loopback only) or host')
      .option('-h, --hostname <name>', 'container host name (default: the short container ID)')
      .option('-i, --interactive', 'keep STDIN open')
      .option('-t, --tty', 'allocate a pseudo-TTY')
      .option('--name <name>', 'assign a name to the container')
      .option('--force', 'with --name: replace a container that holds the name')
      .passThroughOptions()
      .action(
        action(setExit, async (ref: string, command: string[], opts: RunFlags) => {
          const { parseBindSpec, parseEnvFile } = lazy.runtimeSpec();
          const { writeBundle } = lazy.bundle();
          const { ContainerDirs, run } = lazy.runtime();
          const { selectSnapshotter } = lazy.selectSnapshotter();
          const network = networkOf(opts.network);
          const binds = opts.volume.map((v) => parseBindSpec(v, ctx.cwd));
          const env = envOf(ctx, opts, parseEnvFile);
          const store = await ctx.openStore();
          const image = await imageForRun(ctx, store, ref);
          const snapshotter = await selectSnapshotter(store.paths, ctx.env);
          const dirs = new ContainerDirs(path.join(store.root, 'containers'));
          const record = await allocate(store, dirs, opts.name, ref, opts.force === true);
          const remove = opts.rm === true;
          const onExit = (): void => cleanupSync(store, dirs, record, remove);
          process.on('exit', onExit);
          let runcDone = false;
          let mounted = true;
          try {
            const bundle = await writeBundle(store, snapshotter, image, dirs.bundle(record.id), {
              ...(opts.user !== undefined ? { user: opts.user } : {}),
              groupAdd: opts.groupAdd,
              ephemeral: remove,
              runtimeMountsRootfs: true,
              initLayerDir: path.join(dirs.root, '.init'),
              spec: {
                ...(command.length > 0 ? { cmd: command } : {}),
                ...(opts.entrypoint !== undefined ? { entrypoint: opts.entrypoint === '' ? [] : [opts.entrypoint] } : {}),
                env,
                ...(opts.workdir !== undefined ? { cwd: opts.workdir } : {}),
                hostname: opts.hostname ?? record.id.slice(0, 12),
                network,
                terminal: opts.tty === true,
                binds,
              },
              signal: ctx.signal,
            });
            mounted = bundle.mounted;
            const stdinIsTty = (ctx.stdin as { isTTY?: boolean }).isTTY === true;
            const inherit = ctx.stdout === process.stdout;
            const result = await run(
              record.id,
              { bundle: dirs.bundle(record.id) },
              {
                stdin: opts.interactive || opts.tty ? (ctx.stdin === process.stdin ? 'inherit' : ctx.stdin) : 'ignore',
                stdout: inherit ? 'inherit' : ctx.stdout,
                stderr: ctx.stderr === process.stderr ? 'inherit' : ctx.stderr,
                // a terminal's keyboard signals reach runc itself when it shares our process group
                forwardSignals: stdinIsTty ? ['SIGTERM', 'SIGHUP', 'SIGUSR2'] : FORWARDED,
                ownProcessGroup: !stdinIsTty,
              },
            );
            runcDone = true;
            return result.status;
          } finally {
            if (runcDone && remove) removeAfterRunSync(store, dirs, record, mounted);
            else await cleanup(store, dirs, record, remove, runcDone);
            process.off('exit', onExit);
          }
        }),
      );
  },
};
