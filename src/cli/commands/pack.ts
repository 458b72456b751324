import * as path from 'node:path';
import { UsageError } from '../../errors';
import type { OmitType, PackOptions } from '../../pack';
import { parseReference } from '../../oci/reference';
import { createProgressRenderer } from '../render/progress-renderer';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';

interface PackFlags {
  tag: string[];
  base?: string;
  platform?: string;
  push?: boolean;
  entrypoint?: string;
  omit: string[];
  output: string[];
  user?: string;
  quiet?: boolean;
  insecureRegistry: string[];
}

const OMIT = ['dev', 'optional', 'peer'];

/** `--entrypoint '["node","x.js"]'` (JSON, as docker's exec form) or a path node runs. */
function parseEntrypoint(s: string): string[] {
  if (s.trim().startsWith('[')) {
    const v: unknown = JSON.parse(s);
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
    throw new UsageError('USAGE', `--entrypoint ${JSON.stringify(s)}: want a JSON array of strings or a file for node`);
  }
  return ['node', path.posix.isAbsolute(s) ? s : path.posix.join('/app', s)];
}

function parseOutputs(list: string[], cwd: string): PackOptions['outputs'] {
  const { parseOutputSpec } = lazy.build();
  return list.map((spec) => {
    const out = parseOutputSpec(spec);
    if (out.type !== 'oci' && out.type !== 'docker') throw new UsageError('USAGE', `--output ${JSON.stringify(spec)}: hoist pack writes type=oci or type=docker`);
    return { type: out.type, dest: path.resolve(cwd, out.dest) };
  });
}

export const packCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('pack')
      .description('Build an image of a Node.js project without a Dockerfile: dependencies from the lockfile and the app in layers of their own')
      .argument('[dir]', 'the project directory (package.json and package-lock.json)', '.')
      .option('-t, --tag <name>', 'name and optionally a tag (name:tag); repeatable', collect, [])
      .option('--base <image>', 'the base image (default node:MAJOR-slim from engines.node)')
      .option('--platform <platform>', 'the base image platform (os/arch[/variant])')
      .option('--push', 'push every tag to its registry afterwards')
      .option('--entrypoint <cmd>', 'a file node runs, or a JSON array (default: bin, main or a `node X` start script)')
      .option('--omit <type>', 'leave out dev, optional or peer dependencies (repeatable; default dev)', collect, [])
      .option('--user <user>', 'the user the app runs as (default 1000)')
      .option('-o, --output <spec>', 'also write type=oci|docker,dest=FILE (repeatable)', collect, [])
      .option('-q, --quiet', 'print only the image ID')
      .option('--insecure-registry <host>', 'use plain HTTP or unverified TLS for this registry (repeatable)', collect, [])
      .action(
        action(setExit, async (dir: string, flags: PackFlags) => {
          const bad = flags.omit.find((o) => !OMIT.includes(o));
          if (bad !== undefined) throw new UsageError('USAGE', `--omit must be dev, optional or peer, not ${JSON.stringify(bad)}`);
          if (flags.push && flags.tag.length === 0) throw new UsageError('USAGE', '--push needs a -t name to push to');
          for (const t of flags.tag) parseReference(t);
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const { pack } = require('../../pack') as typeof import('../../pack');
          const store = await ctx.openStore();
          const renderer = createProgressRenderer({ out: ctx.stderr, mode: flags.quiet ? 'quiet' : 'plain', debug: ctx.debug });
          let res;
          try {
            res = await pack(store, {
              dir: path.resolve(ctx.cwd, dir),
              tags: flags.tag,
              omit: (flags.omit.length > 0 ? flags.omit : ['dev']) as OmitType[],
              env: ctx.env,
              signal: ctx.signal,
              onProgress: renderer.onEvent,
              ...(flags.base ? { base: flags.base } : {}),
              ...(flags.platform ? { platform: flags.platform } : {}),
              ...(flags.entrypoint ? { entrypoint: parseEntrypoint(flags.entrypoint) } : {}),
              ...(flags.user ? { user: flags.user } : {}),
              ...(flags.output.length > 0 ? { outputs: parseOutputs(flags.output, ctx.cwd) } : {}),
              ...(flags.insecureRegistry.length > 0 ? { insecureRegistries: flags.insecureRegistry } : {}),
            });
          } finally {
            renderer.close();
          }
          if (flags.quiet) ctx.stdout.write(`${res.imageId}\n`);
          else {
            for (const l of res.layers) ctx.stdout.write(`${l.name.padEnd(18)} ${l.descriptor.digest} ${l.descriptor.size}${l.packages ? ` (${l.packages} package${l.packages === 1 ? '' : 's'})` : ''}\n`);
            ctx.stdout.write(`${res.imageId} ${res.tags.join(' ')}\n`);
          }
          if (flags.push) {
            const { pushImage } = lazy.registry();
            for (const tag of res.tags) {
              const ref = parseReference(tag);
              let bytes = 0;
              const pushed = await pushImage(store, ref, ref, {
                signal: ctx.signal,
                onProgress: (ev) => void (ev.type === 'blob-done' && ev.action === 'push' && ev.mountedFrom === undefined && (bytes += ev.size)),
                clientOptions: { env: ctx.env, ...(flags.insecureRegistry.length > 0 ? { insecureRegistries: flags.insecureRegistry } : {}) },
              });
              ctx.stdout.write(`pushed ${pushed.reference}: ${pushed.blobsUploaded} blobs uploaded (${bytes} bytes), ${pushed.blobsSkipped + pushed.blobsMounted} already there\n`);
            }
          }
        }),
      );
  },
};
