// `build-cache-from`: issue 17's targets. Machine B builds the build-cold workload's Dockerfile
// cold (empty store) but with `--cache-from` machine A's registry cache (`--cache-to
// type=registry,mode=max`, made once, unmeasured): at most 0.25x B's cold build without a cache,
// and at most 0.8x BuildKit doing the same with its inline cache (`docker build --cache-from`
// an image built and pushed with BUILDKIT_INLINE_CACHE=1), measured side by side.
import { join } from 'node:path';
import { copyContext } from '../fixtures/build-context';
import { freshUnmountedDir } from '../harness/mounts';
import { defineProcessWorkload, type BenchContext, type CommandSpec, type ProcessCase, type RunContext } from '../harness/types';
import { setup, type State } from './build';
import { dockerBuilder, hoistBuilder } from './build-cases';

const FILES = 400;

type Run = RunContext<State>;

const contextDir = (r: Run): string => join(r.scratch, 'context');
const hoistCache = (r: Run): string => `${r.state.registry.host}/bench/cache:hoist`;
const dockerInline = (r: Run): string => `${r.state.registry.host}/bench/inline:docker`;
const CACHE_FROM = 'hoist build --cache-from (registry, mode=max)';

async function prepareContextFor(r: Run): Promise<void> {
  await copyContext(r.state.contexts.get(FILES)!, contextDir(r), r.state.base);
}

/** B with A's cache: a fresh store before every run; A's export made once in prepare. */
const hoistCacheFrom: ProcessCase<State> = {
  label: CACHE_FROM,
  tool: 'hoist',
  prepare: async (r) => {
    await prepareContextFor(r);
    const a = join(r.scratch, 'machine-a');
    await freshUnmountedDir(a);
    await r.exec({ argv: [...r.tool('hoist'), 'build', '-q', '--cache-to', `type=registry,ref=${hoistCache(r)},mode=max`, contextDir(r)], env: { HOIST_ROOT: a } });
    await freshUnmountedDir(a);
  },
  before: (r) => hoistBuilder.reset(r),
  command: (r): CommandSpec => {
    const spec = hoistBuilder.build(r, contextDir(r));
    return { ...spec, argv: [...spec.argv.slice(0, -1), '--cache-from', `type=registry,ref=${hoistCache(r)}`, contextDir(r)] };
  },
  cleanup: (r) => hoistBuilder.reset(r),
};

/** B without a cache (the ratio in its row is cache-from / cold). */
const hoistCold: ProcessCase<State> = {
  label: 'hoist build cold, no cache',
  tool: 'hoist',
  compareTo: CACHE_FROM,
  prepare: prepareContextFor,
  before: (r) => hoistBuilder.reset(r),
  command: (r) => hoistBuilder.build(r, contextDir(r)),
  cleanup: (r) => hoistBuilder.reset(r),
};

/** BuildKit on a cold dockerd with its inline cache from the registry. */
const dockerCacheFrom: ProcessCase<State> = {
  label: 'docker build --cache-from (BuildKit inline)',
  tool: 'docker',
  compareTo: CACHE_FROM,
  prepare: async (r) => {
    await prepareContextFor(r);
    await dockerBuilder.reset(r);
    const docker = r.tool('docker');
    await r.exec({ argv: [...docker, 'build', '--network=host', '-q', '--build-arg', 'BUILDKIT_INLINE_CACHE=1', '-t', dockerInline(r), contextDir(r)], env: { DOCKER_BUILDKIT: '1' } });
    await r.exec({ argv: [...docker, 'push', dockerInline(r)] });
  },
  before: (r) => dockerBuilder.reset(r),
  command: (r) => ({
    argv: [...r.tool('docker'), 'build', '--network=host', '-q', '--cache-from', dockerInline(r), '-t', 'bench/app:docker', contextDir(r)],
    env: { DOCKER_BUILDKIT: '1' },
  }),
  cleanup: (r) => dockerBuilder.reset(r),
};

export const buildCacheFromWorkload = defineProcessWorkload<State>({
  kind: 'process',
  name: 'build-cache-from',
  description:
    `Machine B's cold build with --cache-from machine A's registry cache (issue 17: at most 0.25x B's cold build without a cache, ` +
    `at most 0.8x BuildKit with its inline cache). build-cold's Dockerfile, ${FILES} files; the cold row's ratio is cache-from / cold.`,
  setup: (ctx: BenchContext) => setup(ctx, [FILES]),
  teardown: async (_ctx, state) => state.registry.stop(),
  cases: [hoistCacheFrom, hoistCold, dockerCacheFrom],
});
