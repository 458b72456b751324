import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import type { BuildOptions } from '../../build';
import { renderBuildPlan } from '../render/build-plan';
import { createProgressRenderer, RENDER_MODES, type RenderMode } from '../render/progress-renderer';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';
import { prepareStdinContext } from './build-stdin';
import { parseAllow, parseSecrets, parseSsh } from './build-secrets';

interface BuildFlags {
  tag: string[];
  file?: string;
  buildArg: string[];
  target?: string;
  cache?: boolean;
  noCacheFilter: string[];
  pull?: boolean;
  network?: string;
  label: string[];
  platform?: string;
  progress?: string;
  quiet?: boolean;
  iidfile?: string;
  output: string[];
  check?: boolean;
  dryRun?: boolean;
  insecureRegistry: string[];
  secret: string[];
  cacheFrom: string[];
  cacheTo: string[];
  push?: boolean;
  ssh: string[];
  allow: string[];
}

/** `K=V`, or `K` alone: the value from the environment (docker's rule; unset means not given). */
function parseBuildArgs(list: string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UsageError('USAGE', `invalid --build-arg ${JSON.stringify(item)}: want KEY=VALUE`);
    if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    else if (env[item] !== undefined) out[item] = env[item] as string;
  }
  return out;
}

function parseLabels(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

export const buildCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('build')
      .description('Build an image from a Dockerfile (BuildKit semantics, runc for RUN)')
      .argument('<context>', 'context directory, or - (a tar archive or a Dockerfile on stdin)')
      .option('-t, --tag <name>', 'name and optionally a tag (name:tag); repeatable', collect, [])
      .option('-f, --file <path>', 'the Dockerfile (default: CONTEXT/Dockerfile; - reads it from stdin)')
      .option('--build-arg <k=v>', 'set a build-time variable; repeatable', collect, [])
      .option('--target <stage>', 'build this stage (and what it needs) only')
      .option('--no-cache', 'do not use the cache when building')
      .option('--no-cache-filter <stage>', 'do not cache the steps of this stage; repeatable', collect, [])
      .option('--pull', 'always pull base images from their registry')
      .option('--network <mode>', 'RUN network: host (default) or none')
      .option('--label <k=v>', 'set metadata on the image; repeatable', collect, [])
      .option('--platform <platform>', 'target platform (os/arch[/variant]); RUN runs only the host platform')
      .option('--progress <type>', 'auto, tty, plain, json or quiet', 'auto')
      .option('-q, --quiet', 'print only the image ID')
      .option('--iidfile <file>', 'write the image ID to the file')
      .option('-o, --output <spec>', 'type=image|docker|oci|local[,dest=PATH][,rewrite-timestamp=true|false] (or a directory); repeatable', collect, [])
      .option('--check', 'only run the build checks (base images resolved, as BuildKit does)')
      .option('--dry-run', 'plan the build and print the plan (stages, every instruction resolved); run nothing, pull nothing; with --check: lint with what the store knows')
      .option('--insecure-registry <host>', 'use plain HTTP or unverified TLS for this registry (repeatable)', collect, [])
      .option('--secret <spec>', 'a secret for RUN --mount=type=secret: id=ID[,src=PATH|,env=VAR] (repeatable)', collect, [])
      .option('--ssh <spec>', 'an ssh agent for RUN --mount=type=ssh: default|ID[=SOCKET|KEY[,KEY]] (repeatable)', collect, [])
      .option('--allow <entitlement>', 'grant an entitlement: security.insecure (RUN --security=insecure) (repeatable)', collect, [])
      .option('--cache-from <spec>', 'use a cache: type=registry,ref=REF | type=local,src=DIR | REF (repeatable)', collect, [])
      .option('--cache-to <spec>', 'export the cache: type=registry,ref=REF[,mode=min|max,...] | type=local,dest=DIR | type=inline (repeatable)', collect, [])
      .option('--push', 'push the image (every -t) to its registry after the build')
      .action(
        action(setExit, async (contextArg: string, flags: BuildFlags) => {
          const { build, parseOutputSpec, parseCacheImport, parseCacheExport } = lazy.build();
          if (!(RENDER_MODES as readonly string[]).includes(flags.progress ?? 'auto')) {
            throw new UsageError('USAGE', `--progress must be one of ${RENDER_MODES.join(', ')}, not ${JSON.stringify(flags.progress)}`);
          }
          if (flags.network !== undefined && flags.network !== 'host' && flags.network !== 'none') {
            throw new UsageError('USAGE', `--network must be host or none, not ${JSON.stringify(flags.network)}`);
          }
          const cleanup: string[] = [];
          try {
            const options: BuildOptions = {
              context: path.resolve(ctx.cwd, contextArg),
              tags: flags.tag,
              buildArgs: parseBuildArgs(flags.buildArg, ctx.env),
              labels: parseLabels(flags.label),
              outputs: flags.output.map((o) => {
                const out = parseOutputSpec(o);
                return out.type === 'image' ? out : { ...out, dest: path.resolve(ctx.cwd, out.dest) };
              }),
              noCache: flags.cache === false,
              noCacheFilter: flags.noCacheFilter,
              signal: ctx.signal,
              env: ctx.env,
              ...(flags.pull ? { pull: true } : {}),
              ...(flags.target ? { target: flags.target } : {}),
              ...(flags.network ? { network: flags.network as 'host' | 'none' } : {}),
              ...(flags.platform ? { platform: flags.platform } : {}),
              ...(flags.check ? { checkOnly: true } : {}),
              ...(flags.dryRun ? { dryRun: true } : {}),
              ...(flags.insecureRegistry.length > 0 ? { insecureRegistries: flags.insecureRegistry } : {}),
              ...(flags.secret.length > 0 ? { secrets: parseSecrets(flags.secret, ctx.cwd, ctx.env) } : {}),
              ...(flags.ssh.length > 0 ? { ssh: parseSsh(flags.ssh, ctx.cwd) } : {}),
              ...(flags.allow.length > 0 ? { allow: parseAllow(flags.allow) } : {}),
              ...(flags.cacheFrom.length > 0 ? { cacheFrom: flags.cacheFrom.map((c) => parseCacheImport(c)).map((c) => (c.type === 'local' ? { ...c, src: path.resolve(ctx.cwd, c.src) } : c)) } : {}),
              ...(flags.cacheTo.length > 0 ? { cacheTo: flags.cacheTo.map((c) => parseCacheExport(c)).map((c) => (c.type === 'local' ? { ...c, dest: path.resolve(ctx.cwd, c.dest) } : c)) } : {}),
              ...(flags.push ? { push: true } : {}),
            };
            if (contextArg === '-') {
              if (flags.file === '-') throw new UsageError('USAGE', 'the context and the Dockerfile cannot both come from stdin');
              const prepared = await prepareStdinContext(ctx.stdin, fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-context-')), ctx.signal);
              cleanup.push(path.dirname(prepared.dir));
              options.context = prepared.dir;
              if (prepared.dockerfileText !== undefined) options.dockerfileText = prepared.dockerfileText;
            }
            if (flags.file === '-') options.dockerfileText = await readAll(ctx.stdin);
            else if (flags.file !== undefined && options.dockerfileText === undefined) options.dockerfile = path.resolve(ctx.cwd, flags.file);
            const quiet = flags.quiet === true || flags.progress === 'quiet';
            const renderer = createProgressRenderer({ out: ctx.stderr, mode: quiet ? 'quiet' : (flags.progress as RenderMode), debug: ctx.debug });
            options.onProgress = renderer.onEvent;
            let res;
            try {
              res = await build(await ctx.openStore(), options);
            } finally {
              renderer.close();
            }
            if (res.plan !== undefined && !flags.check) {
              ctx.stdout.write(flags.progress === 'json' ? `${JSON.stringify(res.plan)}\n` : renderBuildPlan(res.plan));
              for (const w of res.warnings) ctx.stderr.write(`WARNING: ${w.rule}: ${w.message} (line ${w.line})\n`);
              return 0;
            }
            if (flags.check) {
              for (const w of res.warnings) ctx.stdout.write(`${w.rule}: ${w.message} (line ${w.line})\n`);
              return res.warnings.length > 0 ? 1 : 0;
            }
            if (flags.iidfile) fs.writeFileSync(path.resolve(ctx.cwd, flags.iidfile), res.imageId);
            if (quiet) ctx.stdout.write(`${res.imageId}\n`);
            return 0;
          } finally {
            for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
          }
        }),
      );
  },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const b = Buffer.isBuffer(c) ? c : Buffer.from(c as string);
    size += b.length;
    if (size > 16 << 20) throw new UsageError('USAGE', 'the Dockerfile on stdin is larger than 16 MiB');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}
