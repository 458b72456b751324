// `pack-edit`: issue 18's row. A Node.js project with 217 production dependencies (npm registry),
// rebuilt after an app-only edit (one module of src/ changed before every run):
//   hoist pack (the dependency layers reused, the app layer written)
//   vs the classic Dockerfile (COPY package*.json, RUN npm ci --omit=dev, COPY . .) built by
//   BuildKit, whose npm ci step is a cache hit after an app-only edit.
// Target: hoist at most 0.2x BuildKit. The bytes an app-only re-pack pushes (target: at most 5% of
// the image) are measured once in the hoist case's prepare and logged.
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type RegistryServer } from '../../test/helpers/registry-server';
import { freshUnmountedDir } from '../harness/mounts';
import { defineProcessWorkload, type BenchContext, type CommandSpec, type RunContext } from '../harness/types';
import { moduleText, NODE_BASE, setupNodeProject, type NodeProjectState } from '../fixtures/node-project';
import { ensureDockerImage } from './docker-image';

interface State extends NodeProjectState {
  registry: RegistryServer;
}

type R = RunContext<State>;

const EDITED = 7;
const projectDir = (r: R): string => join(r.scratch, 'project');
const hoistEnv = (r: R): Record<string, string> => ({ HOIST_ROOT: join(r.scratch, 'root') });
const edit = (r: R, note: string): void => writeFileSync(join(projectDir(r), 'src', `m${EDITED}.js`), moduleText(EDITED, note));

const hoistPack = (r: R, ref = 'bench/pack:hoist', ...more: string[]): CommandSpec => ({
  argv: [...r.tool('hoist'), 'pack', projectDir(r), '-t', ref, '--base', NODE_BASE, '-q', ...more],
  env: hoistEnv(r),
});

/** Bytes of the first push (the whole image) and of a push after an app-only edit, from hoist pack --push. */
async function measurePush(r: R): Promise<void> {
  const ref = `${r.state.registry.host}/bench/pack:push`;
  const bytes = async (): Promise<number> => {
    const out = await r.exec({ ...hoistPack(r, ref, '--push') });
    return Number(/\((\d+) bytes\)/.exec(out)?.[1] ?? NaN);
  };
  const whole = await bytes();
  edit(r, 'push');
  const again = await bytes();
  r.log(`pack-edit: an app-only re-pack pushed ${again} bytes of a ${whole}-byte image (${((100 * again) / whole).toFixed(3)}%; target at most 5%)`);
}

export const packEditWorkload = defineProcessWorkload<State>({
  kind: 'process',
  name: 'pack-edit',
  description:
    'Rebuild after an app-only edit of a Node.js project with 217 production dependencies: hoist pack vs the classic Dockerfile (COPY package*.json, RUN npm ci --omit=dev, COPY . .) built by BuildKit (target: at most 0.2x).',
  setup: async (ctx: BenchContext) => {
    const project = await setupNodeProject(ctx.workDir, ctx.repoRoot);
    return { ...project, registry: await startRegistry() };
  },
  teardown: async (_ctx, state) => state.registry.stop(),
  cases: [
    {
      label: 'hoist pack',
      tool: 'hoist',
      prepare: async (r) => {
        cpSync(r.state.project, projectDir(r), { recursive: true });
        await freshUnmountedDir(join(r.scratch, 'root'));
        await r.exec({ argv: [...r.tool('hoist'), 'load', '-i', r.state.baseArchive], env: hoistEnv(r) });
        await r.exec(hoistPack(r)); // the pack the measured runs repeat after their edit
        await measurePush(r);
      },
      before: async (r) => edit(r, `hoist run ${r.run}`),
      command: (r) => hoistPack(r),
      cleanup: async (r) => { await freshUnmountedDir(join(r.scratch, 'root')); },
    },
    {
      label: 'docker build (BuildKit), classic Dockerfile',
      tool: 'docker',
      prepare: async (r) => {
        cpSync(r.state.project, projectDir(r), { recursive: true });
        await ensureDockerImage(r, NODE_BASE, r.state.baseArchive);
        await r.exec({ argv: [...r.tool('docker'), 'build', '--network=host', '-q', '-t', 'bench/pack:docker', projectDir(r)], env: { DOCKER_BUILDKIT: '1' } });
      },
      before: async (r) => edit(r, `docker run ${r.run}`),
      command: (r) => ({ argv: [...r.tool('docker'), 'build', '--network=host', '-q', '-t', 'bench/pack:docker', projectDir(r)], env: { DOCKER_BUILDKIT: '1' } }),
    },
  ],
});
