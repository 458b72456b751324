// The registry workloads for the bench harness (`npm run bench -- registry-push registry-pull`):
// `hoist push` / `hoist pull` (the CLI) beside `skopeo copy` against a loopback docker-registry,
// on the ~1.4 GiB, 7,500-file, 3-layer gzip image of registry.ts. Push goes to an empty registry
// each run; pull goes into an empty store / layout each run.
import { join } from 'node:path';
import { pushImage } from '../../src/registry';
import { Store } from '../../src/store/store';
import { startRegistry, type RegistryServer } from '../../test/helpers/registry-server';
import { freshDir, removePath } from '../harness/fresh-dir';
import { defineProcessWorkload, type BenchContext } from '../harness/types';
import { prepareRegistryFixture, SKOPEO_NAME, SRC_REF, type RegistryFixture } from './registry';

interface RegistryState {
  fixture: RegistryFixture;
  registry: RegistryServer;
}

async function setup(ctx: BenchContext): Promise<RegistryState> {
  const fixture = await prepareRegistryFixture(ctx.workDir, ctx.quick);
  ctx.log(`registry fixture: ${(fixture.bytes / 2 ** 30).toFixed(2)} GiB of gzip layers, ${fixture.files} files`);
  return { fixture, registry: await startRegistry() };
}

async function teardown(_ctx: BenchContext, state: RegistryState): Promise<void> {
  await state.registry.stop();
}

/** A new, empty registry before each push run. */
async function emptyRegistry(state: RegistryState): Promise<void> {
  await state.registry.stop();
  state.registry = await startRegistry();
}

export const registryPushWorkload = defineProcessWorkload<RegistryState>({
  kind: 'process',
  name: 'registry-push',
  description: 'Push the registry image (1.4 GiB gzip, 7,500 files, 3 layers) to an empty loopback registry.',
  setup,
  teardown,
  cases: [
    {
      label: 'hoist push',
      tool: 'hoist',
      before: (r) => emptyRegistry(r.state),
      command: (r) => ({ argv: [...r.tool('hoist'), 'push', '-q', SRC_REF, `${r.state.registry.host}/bench/img:1`], env: { HOIST_ROOT: r.state.fixture.storeRoot } }),
    },
    {
      label: 'skopeo copy oci: docker://',
      tool: 'skopeo',
      before: (r) => emptyRegistry(r.state),
      command: (r) => ({
        argv: [...r.tool('skopeo'), 'copy', '-q', '--dest-tls-verify=false', `oci:${r.state.fixture.storeRoot}:${SKOPEO_NAME}`, `docker://${r.state.registry.host}/bench/img:1`],
      }),
    },
  ],
});

async function seeded(ctx: BenchContext): Promise<RegistryState> {
  const state = await setup(ctx);
  await pushImage(await Store.open(state.fixture.storeRoot), SRC_REF, `${state.registry.host}/bench/src:1`);
  return state;
}

export const registryPullWorkload = defineProcessWorkload<RegistryState>({
  kind: 'process',
  name: 'registry-pull',
  description: 'Pull the registry image (1.4 GiB gzip, 7,500 files, 3 layers) from a loopback registry into an empty store (no unpack).',
  setup: seeded,
  teardown,
  cases: [
    {
      label: 'hoist pull',
      tool: 'hoist',
      before: async (r) => void freshDir(join(r.scratch, 'root')),
      command: (r) => ({ argv: [...r.tool('hoist'), 'pull', '-q', `${r.state.registry.host}/bench/src:1`], env: { HOIST_ROOT: join(r.scratch, 'root') } }),
      after: async (r) => removePath(join(r.scratch, 'root')),
    },
    {
      label: 'skopeo copy docker:// oci:',
      tool: 'skopeo',
      before: async (r) => removePath(join(r.scratch, 'oci')),
      command: (r) => ({ argv: [...r.tool('skopeo'), 'copy', '-q', '--src-tls-verify=false', `docker://${r.state.registry.host}/bench/src:1`, `oci:${join(r.scratch, 'oci')}:pulled`] }),
      after: async (r) => removePath(join(r.scratch, 'oci')),
    },
  ],
});
