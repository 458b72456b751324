// `build-cold`, `build-noop`, `build-edit`: hoist build beside BuildKit (docker build on the
// bench's dockerd) and buildah bud on a multi-stage Dockerfile over a Debian minbase base that all
// three pull from a loopback docker-registry (issue 14's targets: hoist at most 0.8x, 0.3x and
// 0.6x BuildKit). `build-rss`: hoist's peak RSS on the same cold build with 10x the files.
import { pushImage } from '../../src/registry';
import { Store } from '../../src/store/store';
import { startRegistry, type RegistryServer } from '../../test/helpers/registry-server';
import { BASE_NAME, BASE_TAG, prepareBase } from '../fixtures/build-base';
import { prepareContext } from '../fixtures/build-context';
import { defineProcessWorkload, type BenchContext, type Workload } from '../harness/types';
import { buildahBuilder, buildCase, dockerBuilder, hoistBuilder, scriptOnHostCase, type BuildMode, type BuildState } from './build-cases';

const FILES = 400;
const MANY_FILES = 4000;

export interface State extends BuildState {
  registry: RegistryServer;
}

/** The base in a fresh loopback registry and the contexts of `counts` files (build-cache-from uses it too). */
export async function setup(ctx: BenchContext, counts: number[]): Promise<State> {
  const base = await prepareBase(ctx.workDir, ctx.log);
  const contexts = new Map<number, string>();
  for (const n of counts) contexts.set(n, await prepareContext(ctx.workDir, n));
  const registry = await startRegistry();
  const ref = `${registry.host}/${BASE_NAME}`;
  try {
    await pushImage(await Store.open(base.storeRoot), BASE_TAG, ref);
  } catch (err) {
    await registry.stop(); // no teardown follows a failed setup
    throw err;
  }
  ctx.log(`build: base ${ref} (${(base.layerBytes / 2 ** 20).toFixed(0)} MiB gzip layer), contexts of ${counts.join(', ')} files`);
  return { base: ref, contexts, registry };
}

const teardown = async (_ctx: BenchContext, state: State): Promise<void> => state.registry.stop();

const WHAT = `a 3-stage Dockerfile on Debian bookworm minbase (pulled from a loopback registry), ${FILES} source files + an 8 MiB asset, RUN steps in sh/sed/tr/gzip/sha256sum`;

function comparison(mode: BuildMode, name: string, description: string): Workload {
  const floor = mode === 'edit' ? [scriptOnHostCase('sh build.sh on the host (the RUN an edit reruns, alone)', FILES, 'hoist build')] : [];
  return defineProcessWorkload<State>({
    kind: 'process',
    name,
    description: `${description}: ${WHAT}.`,
    setup: (ctx) => setup(ctx, [FILES]),
    teardown,
    cases: [
      buildCase(hoistBuilder, mode, 'hoist build', FILES),
      buildCase(dockerBuilder, mode, 'docker build (BuildKit)', FILES),
      buildCase(buildahBuilder, mode, 'buildah bud --layers', FILES),
      ...floor,
    ],
  });
}

export const buildColdWorkload = comparison('cold', 'build-cold', 'Cold build (every cache empty, the base in the registry)');
export const buildNoopWorkload = comparison('noop', 'build-noop', 'No-op rebuild (nothing changed since the last build)');
export const buildEditWorkload = comparison('edit', 'build-edit', 'Rebuild after editing one source file');

const many = `hoist build cold, ${MANY_FILES.toLocaleString('en')} files`;

export const buildRssWorkload = defineProcessWorkload<State>({
  kind: 'process',
  name: 'build-rss',
  description: `hoist build's peak RSS as the context grows: the cold build of build-cold on ${FILES} and on ${MANY_FILES} source files (target: within 20%). The ${FILES}-file row's ratios are ${MANY_FILES} files / ${FILES} files.`,
  setup: (ctx) => setup(ctx, [FILES, MANY_FILES]),
  teardown,
  cases: [
    buildCase(hoistBuilder, 'cold', many, MANY_FILES),
    buildCase(hoistBuilder, 'cold', `hoist build cold, ${FILES} files`, FILES, many),
  ],
});
