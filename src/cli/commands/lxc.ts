import * as path from 'node:path';
import { UsageError } from '../../errors';
import type { IdMapEntry } from '../../convert';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';

interface LxcOpts {
  name: string;
  lxcpath: string;
  unprivileged?: boolean;
  idmap?: string[];
  rootfs: string;
  mode?: string;
  network?: string;
  force?: boolean;
  imageTarball?: string;
}

export const lxcCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('lxc')
      .description('Write an LXC container (LXCPATH/NAME/config + rootfs) from an image, for lxc-execute (app) or lxc-start (system)')
      .argument('<ref>', 'image reference or ID')
      .requiredOption('--name <name>', 'container name')
      .option('--lxcpath <dir>', "LXC's lxcpath", '/var/lib/lxc')
      .option('--unprivileged', 'a user-namespace container: rootfs ownership shifted through the id map')
      .option('--idmap <map>', 'CONTAINER_ID:HOST_ID:COUNT, for uids and gids (repeatable; default 0:100000:65536)', collect)
      .option('--rootfs <kind>', 'copy (an independent tree) or overlay (the store\'s layers + an upper dir)', 'copy')
      .option('--mode <mode>', 'app (lxc-execute) or system (lxc-start, the image\'s init); default: system when the command is an init')
      .option('--network <spec>', 'none (default) or veth,link=BRIDGE')
      .option('--force', 'replace an existing container of that name')
      .option('--image-tarball <file>', 'also write an Incus/LXD unified image (tar.xz)')
      .action(
        action(setExit, async (ref: string, opts: LxcOpts) => {
          const { createLxcContainer, DEFAULT_ID_MAP, parseIdMapEntry, parseLxcNetwork, validateIdMap, writeIncusImage } = lazy.convert();
          const { resolveImage } = lazy.image();
          const { selectSnapshotter } = lazy.snapshot();
          if (opts.rootfs !== 'copy' && opts.rootfs !== 'overlay') throw new UsageError('USAGE', `--rootfs must be copy or overlay, not ${opts.rootfs}`);
          if (opts.mode !== undefined && opts.mode !== 'app' && opts.mode !== 'system') throw new UsageError('USAGE', `--mode must be app or system, not ${opts.mode}`);
          if (opts.idmap !== undefined && !opts.unprivileged) throw new UsageError('USAGE', '--idmap needs --unprivileged');
          const idMap = opts.unprivileged ? validateIdMap(opts.idmap?.map(parseIdMapEntry) ?? (DEFAULT_ID_MAP as IdMapEntry[])) : undefined;
          const store = await ctx.openStore();
          const image = await resolveImage(store, ref);
          const res = await createLxcContainer(store, image, {
            name: opts.name,
            lxcpath: path.resolve(ctx.cwd, opts.lxcpath),
            rootfs: opts.rootfs,
            ...(opts.mode ? { mode: opts.mode as 'app' | 'system' } : {}),
            ...(idMap ? { idMap } : {}),
            ...(opts.network ? { network: parseLxcNetwork(opts.network) } : {}),
            force: opts.force ?? false,
            ...(opts.rootfs === 'overlay' ? { snapshotter: await selectSnapshotter(store.paths, ctx.env) } : {}),
            reference: ref,
            signal: ctx.signal,
            onWarning: (w) => ctx.stderr.write(`warning: ${w.path}: ${w.message}\n`),
          });
          ctx.stdout.write(`${res.dir} (${res.command.mode}: ${res.command.mode === 'app' ? 'lxc-execute' : 'lxc-start'} -P ${path.dirname(res.dir)} -n ${opts.name})\n`);
          if (opts.imageTarball !== undefined) {
            const file = path.resolve(ctx.cwd, opts.imageTarball);
            const rootfs = opts.rootfs === 'copy' && idMap === undefined ? { rootfs: path.join(res.dir, 'rootfs') } : {};
            await writeIncusImage(store, image, file, { reference: ref, signal: ctx.signal, ...rootfs });
            ctx.stdout.write(`${file}\n`);
          }
        }),
      );
  },
};
