// `start`: what every command pays before it does anything (issue 15, item 5). `hoist images` on
// a one-image store beside `node -e 0` (target: at most 1.5x), and a push whose blobs are all
// mounted from another repository of the same loopback registry (target: at most 0.15 s) beside
// skopeo doing the same copy. `hoist run --rm` beside `docker run --rm` is in the `run` workload.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { makeDockerArchive } from '../../fixtures/images/make-busybox-image';
import { loadArchive } from '../../src/image';
import { pushImage } from '../../src/registry';
import { Store } from '../../src/store/store';
import { describeExit, runProcess } from '../../src/sys';
import { startRegistry, type RegistryServer } from '../../test/helpers/registry-server';
import { freshDir } from '../harness/fresh-dir';
import { defineProcessWorkload, type BenchContext, type RunContext } from '../harness/types';

interface StartState {
  root: string;
  registry: RegistryServer;
}

const IMAGE = 'bench-busybox:1';

async function setup(ctx: BenchContext): Promise<StartState> {
  const root = join(ctx.workDir, 'start-root');
  freshDir(root);
  const archive = join(ctx.workDir, 'start-busybox.tar');
  await makeDockerArchive(archive, { tags: [IMAGE] });
  const store = await Store.open(root);
  await loadArchive(store, createReadStream(archive));
  const registry = await startRegistry();
  // the source repository every measured push mounts from: pushed, and tagged in the store so
  // that push knows the registry holds these blobs there (as after a pull from it)
  const source = `${registry.host}/bench/src:1`;
  await pushImage(store, IMAGE, source);
  const tag = await runProcess([join(ctx.repoRoot, 'bin/hoist'), 'tag', IMAGE, source], { env: { ...process.env, HOIST_ROOT: root } });
  if (tag.code !== 0) throw new Error(describeExit(['hoist', 'tag', IMAGE, source], tag));
  return { root, registry };
}

/** A repository no run has used, so that every push mounts all its blobs again. */
const target = (r: RunContext<StartState>, who: string): string => `${r.state.registry.host}/bench/${who}-${r.run < 1 ? `w${-r.run}` : r.run}:1`;

export const startWorkload = defineProcessWorkload<StartState>({
  kind: 'process',
  name: 'start',
  description: 'Start-up cost: hoist images (one image) beside node -e 0; a push whose blobs are all mounted from another repository, beside skopeo.',
  setup,
  teardown: async (_ctx, state) => state.registry.stop(),
  cases: [
    {
      label: 'hoist images',
      tool: 'hoist',
      command: (r) => ({ argv: [...r.tool('hoist'), 'images'], env: { HOIST_ROOT: r.state.root } }),
    },
    {
      label: 'node -e 0',
      tool: 'node',
      compareTo: 'hoist images',
      command: (r) => ({ argv: [...r.tool('node'), '-e', '0'] }),
    },
    {
      // node's start without the CA bundle it parses first where NODE_EXTRA_CA_CERTS is set (as
      // on these machines): bin/hoist defers that file to its first TLS connection (docs/run.md)
      label: 'node -e 0 (NODE_EXTRA_CA_CERTS unset)',
      tool: 'node',
      compareTo: 'hoist images',
      command: (r) => ({ argv: [...r.tool('node'), '-e', '0'], env: { NODE_EXTRA_CA_CERTS: '' } }),
    },
    {
      label: 'hoist push (all blobs mounted)',
      tool: 'hoist',
      command: (r) => ({ argv: [...r.tool('hoist'), 'push', '-q', IMAGE, target(r, 'hoist')], env: { HOIST_ROOT: r.state.root } }),
    },
    {
      label: 'skopeo copy docker:// docker:// (mounted)',
      tool: 'skopeo',
      compareTo: 'hoist push (all blobs mounted)',
      command: (r) => ({
        argv: [...r.tool('skopeo'), 'copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${r.state.registry.host}/bench/src:1`, `docker://${target(r, 'skopeo')}`],
      }),
    },
  ],
});
