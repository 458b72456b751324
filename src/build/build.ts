import * as fs from 'node:fs';
import * as path from 'node:path';
import { BuildError, isErrno, isHoistError } from '../errors';
import { checkDockerfile, checkFailure } from '../dockerfile/checks/run-checks';
import type { BaseImageInfo } from '../dockerfile/checks/context';
import type { CheckWarning } from '../dockerfile/checks/linter';
import { IgnoreMatcher } from '../dockerfile/ignore/matcher';
import { loadIgnoreFile } from '../dockerfile/ignore/read';
import { AUTOMATIC_PLATFORM_ARGS, PROXY_ARGS } from '../dockerfile/instructions/args';
import { parseDockerfile, type ParsedDockerfile } from '../dockerfile/parse-dockerfile';
import { hostPlatform, parsePlatform, type Platform } from '../oci/platform';
import { formatReference, parseReference } from '../oci/reference';
import { emitter } from '../progress/emitter';
import type { Store } from '../store/store';
import { BuildCache } from './cache/build-cache';
import { createContextOps } from './context';
import { dryRunBuild } from './dry-run';
import { resolveBaseImage } from './exec/base-image';
import { buildStage } from './exec/build-stage';
import type { ExecContext } from './exec/exec-context';
import { LayerBlobs } from './exec/layer-blobs';
import { SshAgents } from './exec/ssh-agents';
import { layerTimesClamped } from './output/parse-output';
import { writeOutputs } from './output/write-outputs';
import { planStages } from './plan/plan-stages';
import { sourceDateEpochOf } from './plan/source-date-epoch';
import type { BuildOptions, BuildResult } from './types';

/** `fn`'s promise, made once. */
function memo<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}

function readDockerfile(options: BuildOptions): { text: string; file: string; path?: string } {
  if (options.dockerfileText !== undefined) return { text: options.dockerfileText, file: 'Dockerfile' };
  const p = path.resolve(options.context, options.dockerfile ?? 'Dockerfile');
  try {
    return { text: fs.readFileSync(p, 'utf8'), file: path.basename(p), path: p };
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new BuildError('BUILD_CONTEXT_INVALID', `failed to read dockerfile: open ${p}: no such file or directory`, { path: p });
    throw err;
  }
}

/** Base image facts for the build checks, from the bases this build resolved (BuildKit checks with real configs). */
async function baseImageInfo(ctx: ExecContext): Promise<(ref: string, platform: Platform) => BaseImageInfo | undefined> {
  const known = new Map<string, BaseImageInfo>();
  for (const i of ctx.plan.order) {
    const base = ctx.plan.stages[i]!.base;
    if (base.kind !== 'image') continue;
    const st = await resolveBaseImage(ctx, base.ref, base.platform);
    const c = st.config;
    known.set(base.ref, {
      platform: { os: c.os, architecture: c.architecture, ...(c.variant ? { variant: c.variant } : {}) },
      ...(c.config.Env ? { env: c.config.Env } : {}),
      ...(c.config.Shell ? { shell: c.config.Shell } : {}),
    });
  }
  return (ref) => known.get(ref);
}

/**
 * SOURCE_DATE_EPOCH from the environment becomes the build arg unless one is
 * given (what buildx and buildctl do with the client's variable).
 */
function withEpochArg(options: BuildOptions): BuildOptions {
  const fromEnv = options.env?.SOURCE_DATE_EPOCH;
  if (fromEnv === undefined || Object.hasOwn(options.buildArgs ?? {}, 'SOURCE_DATE_EPOCH')) return options;
  return { ...options, buildArgs: { ...options.buildArgs, SOURCE_DATE_EPOCH: fromEnv } };
}

function unusedBuildArgs(ctx: ExecContext, df: ParsedDockerfile): string[] {
  const declared = new Set(df.globalArgs.flatMap((a) => a.args.map((x) => x.key)));
  const builtin = new Set<string>([...PROXY_ARGS, ...AUTOMATIC_PLATFORM_ARGS, 'SOURCE_DATE_EPOCH']);
  return Object.keys(ctx.options.buildArgs ?? {}).filter((k) => !ctx.usedArgs.has(k) && !declared.has(k) && !builtin.has(k) && !k.startsWith('BUILDKIT_'));
}

/**
 * `hoist build`: a Dockerfile and its context to an image in the store (and
 * any other outputs), with BuildKit's semantics. Stages the target needs are
 * built, independent ones at once; every layer step goes through the cache.
 * A failure leaves no tag, mount or active snapshot behind.
 */
export async function build(store: Store, options: BuildOptions): Promise<BuildResult> {
  for (let opts = options; ; ) {
    try {
      return await buildOnce(store, opts);
    } catch (err) {
      // a --cache-from source whose layer failed its checks: warn, and build as if it were not there
      if (!isHoistError(err, 'BUILD_CACHE_IMPORT_INVALID') || opts.cacheFrom === undefined || opts.signal?.aborted) throw err;
      emitter(opts.onProgress)({ type: 'warning', message: `${err.message}; building again without ${String(err.details.source)}` });
      const position = err.details.position as number;
      opts = { ...opts, cacheFrom: opts.cacheFrom.filter((_, i) => i !== position) };
    }
  }
}

async function buildOnce(store: Store, options: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  options = withEpochArg(options);
  if (!fs.statSync(options.context, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BuildError('BUILD_CONTEXT_INVALID', `unable to prepare context: path "${options.context}" not found`, { context: options.context });
  }
  const source = readDockerfile(options);
  const df = parseDockerfile(source.text, { file: source.file });
  const platform = options.platform ? parsePlatform(options.platform) : hostPlatform();
  const plan = planStages(df, { buildArgs: options.buildArgs ?? {}, ...(options.target ? { target: options.target } : {}), buildPlatform: hostPlatform(), targetPlatform: platform });
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const ignore = loadIgnoreFile(options.context, source.path);
  const epoch = sourceDateEpochOf(options.buildArgs ?? {}, plan.globalArgs);
  const rewrite = layerTimesClamped(options.outputs ?? [], epoch !== undefined);
  if (options.dryRun) {
    const dry = await dryRunBuild(store, options, source, df, plan, platform, ignore.patterns.length > 0 ? new IgnoreMatcher(ignore.patterns) : undefined);
    return { imageId: '' as BuildResult['imageId'], manifestDigest: '' as BuildResult['imageId'], tags: [], warnings: dry.warnings, steps: { total: 0, cached: 0 }, plan: dry.plan };
  }
  const contextOps = createContextOps({ cacheDir: store.paths.cache });
  const lease = await store.lease();
  const ctx: ExecContext = {
    store,
    snapshotter: memo(async () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { selectSnapshotter } = require('../snapshot/select-snapshotter') as typeof import('../snapshot/select-snapshotter');
      return selectSnapshotter(store.paths);
    }),
    cache: new BuildCache(store.paths),
    contextOps,
    contextTree: { root: path.resolve(options.context), kind: 'context', ...(ignore.patterns.length > 0 ? { ignore: new IgnoreMatcher(ignore.patterns) } : {}) },
    options,
    df,
    plan,
    platform,
    emit: emitter(options.onProgress),
    stages: new Map(),
    usedArgs: new Set(),
    stats: { total: 0, cached: 0 },
    usedSteps: [],
    layerBlobs: new LayerBlobs(controller.signal),
    ssh: new SshAgents(options),
    signal: controller.signal,
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
    rewriteTimestamp: rewrite.clamp,
  };
  if (rewrite.asked && epoch === undefined) ctx.emit({ type: 'warning', message: 'rewrite-timestamp is specified, but no source-date-epoch was found' });
  try {
    const check = checkDockerfile(df, {
      buildArgs: options.buildArgs ?? {},
      ...(options.target ? { target: options.target } : {}),
      targetPlatform: platform,
      ...(ctx.contextTree.ignore ? { ignoreMatcher: ctx.contextTree.ignore } : {}),
      baseImage: await baseImageInfo(ctx).catch((err: unknown) => {
        // --check resolves bases as BuildKit does; say how to lint without them
        if (!options.checkOnly || !isHoistError(err, 'BUILD_BASE_NOT_FOUND')) throw err;
        throw new BuildError(err.code, `${err.message} (--check --dry-run lints with only the base images the store has)`, err.details, { cause: err });
      }),
    });
    const warnings: CheckWarning[] = [...check.warnings];
    if (check.failed) throw checkFailure(check, df.file);
    if (options.checkOnly) return { imageId: '' as BuildResult['imageId'], manifestDigest: '' as BuildResult['imageId'], tags: [], warnings, steps: { total: 0, cached: 0 } };
    if (options.push && (options.tags?.length ?? 0) > 0) {
      const { EarlyPush } = require('./output/early-push') as typeof import('./output/early-push'); // eslint-disable-line @typescript-eslint/no-require-imports
      ctx.earlyPush = new EarlyPush(ctx, (options.tags ?? []).map((t) => formatReference(parseReference(t))));
    }
    if (!options.noCache && (options.cacheFrom?.length ?? 0) > 0) {
      const { openRemoteCache } = require('./cache/remote/open-remote-cache') as typeof import('./cache/remote/open-remote-cache'); // eslint-disable-line @typescript-eslint/no-require-imports
      const remote = await openRemoteCache(ctx);
      if (remote !== undefined) ctx.remote = remote;
    }
    for (const i of plan.order) {
      const p = buildStage(ctx, i);
      p.catch(() => controller.abort(new Error('another stage failed')));
      ctx.stages.set(i, p);
    }
    const settled = await Promise.allSettled([...ctx.stages.values()]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const target = await ctx.stages.get(plan.target)!;
    const unused = unusedBuildArgs(ctx, df);
    if (unused.length > 0) ctx.emit({ type: 'warning', message: `One or more build-args [${unused.join(' ')}] were not consumed` });
    for (const w of warnings) ctx.emit({ type: 'warning', message: `${w.rule}: ${w.message}`, location: `${df.file}:${w.line}` });
    const tags = (options.tags ?? []).map((t) => formatReference(parseReference(t)));
    await ctx.layerBlobs.settle(target);
    const written = await writeOutputs(ctx, target, tags);
    if ((options.cacheTo?.length ?? 0) > 0) {
      const { exportCaches } = require('./cache/remote/export-cache') as typeof import('./cache/remote/export-cache'); // eslint-disable-line @typescript-eslint/no-require-imports
      await exportCaches(ctx, target, ctx.usedSteps);
    }
    if (options.push) await (require('./output/push-tags') as typeof import('./output/push-tags')).pushTags(ctx, tags); // eslint-disable-line @typescript-eslint/no-require-imports
    ctx.emit({ type: 'build-done', imageId: written.id, tags, ms: Date.now() - t0 });
    return { imageId: written.id, manifestDigest: written.manifest.digest, tags, warnings, steps: { ...ctx.stats } };
  } catch (err) {
    throw ctx.remote?.fault ?? err;
  } finally {
    await ctx.remote?.close();
    await ctx.earlyPush?.close();
    options.signal?.removeEventListener('abort', onAbort);
    await contextOps.close().catch(() => undefined);
    await ctx.ssh.close().catch(() => undefined);
    await ctx.layerBlobs.close(); // its blobs and records are written under the lease
    await lease.release();
  }
}
