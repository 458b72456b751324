import { familiarName, parseReference } from '../../oci/reference';
import { action, collect, type CommandModule } from '../command';
import { clientOptionsOf, maxConcurrentOf, rendererOf, type RegistryFlags } from './registry-options';

export const pushCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('push')
      .description('Upload an image of the store to a registry (layers as stored; blobs the registry has are skipped or mounted)')
      .argument('<name>', 'NAME[:TAG] of an image in the store')
      .argument('[dest]', 'push under another NAME[:TAG] (default: the same name)')
      .option('-q, --quiet', 'suppress verbose output')
      .option('--max-concurrent <n>', 'blobs uploaded at once (default 4)')
      .option('--insecure-registry <host>', 'use plain HTTP or unverified TLS for this registry (repeatable)', collect, [])
      .action(
        action(setExit, async (name: string, dest: string | undefined, opts: RegistryFlags) => {
          // the push alone, not the registry area's index (pull, mirrors, login: ~30 modules more; docs/push.md)
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { pushImage } = require('../../registry/push/push-image') as typeof import('../../registry/push/push-image');
          const src = parseReference(name);
          const target = dest !== undefined ? parseReference(dest) : src;
          const store = await ctx.openStore();
          const renderer = rendererOf(ctx, opts);
          const maxConcurrent = maxConcurrentOf(opts);
          try {
            if (!opts.quiet) ctx.stdout.write(`The push refers to repository [${familiarName(target)}]\n`);
            const res = await pushImage(store, src, target, {
              ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
              signal: ctx.signal,
              onProgress: renderer.onEvent,
              clientOptions: clientOptionsOf(ctx, opts),
            });
            renderer.close();
            ctx.stdout.write(opts.quiet ? `${res.reference}\n` : `${target.tag ?? res.descriptor.digest}: digest: ${res.descriptor.digest} size: ${res.descriptor.size}\n`);
          } finally {
            renderer.close();
          }
        }),
      );
  },
};
