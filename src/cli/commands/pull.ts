import { familiarString, parseReference } from '../../oci/reference';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';
import { clientOptionsOf, maxConcurrentOf, mirrorsOf, rendererOf, type RegistryFlags } from './registry-options';

export const pullCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('pull')
      .description('Download an image from a registry (blobs only; layers are unpacked on demand)')
      .argument('<name>', 'NAME[:TAG|@DIGEST]')
      .option('--platform <platform>', 'os/arch[/variant] to pull from a multi-platform image (default: the host)')
      .option('-q, --quiet', 'suppress verbose output')
      .option('--max-concurrent <n>', 'blobs downloaded at once (default 4)')
      .option('--insecure-registry <host>', 'use plain HTTP or unverified TLS for this registry (repeatable)', collect, [])
      .option('--registries-conf <file>', 'registries.conf with [[registry]] mirrors (default: $CONTAINERS_REGISTRIES_CONF, else /etc/containers/registries.conf)')
      .action(
        action(setExit, async (name: string, opts: RegistryFlags & { platform?: string }) => {
          const { pullImage } = lazy.registry();
          const ref = parseReference(name);
          const store = await ctx.openStore();
          const renderer = rendererOf(ctx, opts);
          const maxConcurrent = maxConcurrentOf(opts);
          try {
            if (!opts.quiet) ctx.stdout.write(`${ref.digest ?? ref.tag}: Pulling from ${familiarString({ domain: ref.domain, path: ref.path })}\n`);
            const res = await pullImage(store, ref, {
              ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
              ...(maxConcurrent !== undefined ? { maxConcurrent } : {}),
              signal: ctx.signal,
              onProgress: renderer.onEvent,
              clientOptions: clientOptionsOf(ctx, opts),
              mirrors: mirrorsOf(ctx, opts),
            });
            renderer.close();
            if (!opts.quiet) {
              const status = res.blobsFetched > 0 ? 'Downloaded newer image for' : 'Image is up to date for';
              ctx.stdout.write(`Status: ${status} ${familiarString(ref)}\n`);
            }
            ctx.stdout.write(`${res.reference}\n`);
          } finally {
            renderer.close();
          }
        }),
      );
  },
};
