import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import type { RootfsKind } from '../../convert';
import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';
import { imageForRun, networkOf } from './run';

interface BundleFlags {
  rootless?: boolean;
  rootfs?: string;
  force?: boolean;
  user?: string;
  network?: string;
  hostname?: string;
}

export const bundleCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('bundle')
      .description('Write an OCI runtime bundle (DIR/config.json + DIR/rootfs) that `runc run` runs unchanged')
      .argument('<ref>', 'image (pulled when missing)')
      .argument('<dir>', 'bundle directory (must be empty or absent)')
      .option('--rootless', 'a spec an unprivileged user can run (user namespace mapping the invoking user to root)')
      .option('--rootfs <kind>', 'overlay (mount the store\'s layers, no copy; default where overlay works) or copy')
      .option('-f, --force', 'replace an existing bundle directory (unmounting its rootfs)')
      .option('-u, --user <user>', 'user over the image\'s USER (name|uid[:group|gid])')
      .option('--network <mode>', 'none (own network namespace, default) or host')
      .option('--hostname <name>', 'container host name (default: a random ID)')
      .action(
        action(setExit, async (ref: string, dir: string, opts: BundleFlags) => {
          const { writeBundle } = lazy.convert();
          const { selectSnapshotter } = lazy.snapshot();
          if (opts.rootfs !== undefined && opts.rootfs !== 'overlay' && opts.rootfs !== 'copy') {
            throw new UsageError('USAGE', `--rootfs must be overlay or copy, not ${JSON.stringify(opts.rootfs)}`);
          }
          const store = await ctx.openStore();
          const image = await imageForRun(ctx, store, ref);
          const snapshotter = await selectSnapshotter(store.paths, ctx.env);
          const bundle = await writeBundle(store, snapshotter, image, path.resolve(ctx.cwd, dir), {
            ...(opts.rootfs !== undefined ? { rootfs: opts.rootfs as RootfsKind } : {}),
            force: opts.force === true,
            ...(opts.user !== undefined ? { user: opts.user } : {}),
            spec: {
              network: networkOf(opts.network),
              hostname: opts.hostname ?? randomBytes(6).toString('hex'),
              ...(opts.rootless ? { rootless: { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 } } : {}),
            },
            signal: ctx.signal,
          });
          ctx.stdout.write(`${bundle.dir}\n`);
          if (bundle.rootfs === 'overlay') {
            ctx.stderr.write(`rootfs is an overlay mount; remove the bundle with: umount ${path.join(bundle.dir, 'rootfs')} && rm -rf ${bundle.dir}\n`);
          }
        }),
      );
  },
};
