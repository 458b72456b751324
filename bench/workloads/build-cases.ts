// The three builders of the build workloads, as cases: hoist build, BuildKit (docker build on the
// bench's dockerd) and buildah bud, each in one of three modes. `cold`: empty caches before every
// run (a fresh HOIST_ROOT; every image of the bench's private dockerd removed and `docker builder
// prune -af`; a fresh buildah root), the base in the loopback registry. `noop`: the same context built again. `edit`:
// one source file changed before every run. Each case builds its own copy of the context.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshUnmountedDir } from '../harness/mounts';
import type { CommandSpec, ProcessCase, RunContext } from '../harness/types';
import { copyContext, sourcePath, sourceText } from '../fixtures/build-context';

export type BuildMode = 'cold' | 'noop' | 'edit';

export interface BuildState {
  /** The base in the workload's registry: `127.0.0.1:PORT/bench/debian:bookworm`. */
  base: string;
  /** Prepared contexts by source-file count. */
  contexts: Map<number, string>;
}

type Run = RunContext<BuildState>;

/** The source file the `edit` mode changes: one in the middle of the tree. */
const EDITED = 7;

interface Builder {
  tool: string;
  /** The build command on the case's context. */
  build(r: Run, context: string): CommandSpec;
  /** Empties every cache the builder keeps (and its result), unmeasured. */
  reset(r: Run): Promise<void>;
}

const contextDir = (r: Run): string => join(r.scratch, 'context');

export const hoistBuilder: Builder = {
  tool: 'hoist',
  build: (r, context) => ({
    argv: [...r.tool('hoist'), 'build', '-q', '-t', 'bench/app:hoist', context],
    env: { HOIST_ROOT: join(r.scratch, 'root') },
  }),
  reset: async (r) => { await freshUnmountedDir(join(r.scratch, 'root')); },
};

const DOCKER_TAG = 'bench/app:docker';

export const dockerBuilder: Builder = {
  tool: 'docker',
  build: (r, context) => ({
    argv: [...r.tool('docker'), 'build', '--network=host', '-q', '-t', DOCKER_TAG, context],
    env: { DOCKER_BUILDKIT: '1' },
  }),
  reset: async (r) => {
    const docker = r.tool('docker');
    // every image, not only the tagged result: an untagged earlier result (an edit run's) still
    // holds the base's layer, and BuildKit would then skip its download and extraction (a "cold"
    // build of 3.9 s instead of 9.8 s); then BuildKit's cache records and the content they hold
    const images = (await r.exec({ argv: [...docker, 'images', '-aq'] })).split('\n').filter(Boolean);
    if (images.length > 0) await r.exec({ argv: [...docker, 'image', 'rm', '-f', ...new Set(images)] });
    await r.exec({ argv: [...docker, 'builder', 'prune', '-af'] });
  },
};

const buildahArgv = (r: Run): string[] => [
  ...r.tool('buildah'), '--root', join(r.scratch, 'buildah-root'), '--runroot', join(r.scratch, 'buildah-run'), '--storage-driver', 'overlay',
];

export const buildahBuilder: Builder = {
  tool: 'buildah',
  // --layers: cache every step, as BuildKit and hoist do (buildah's default keeps only the result)
  build: (r, context) => ({
    argv: [...buildahArgv(r), 'bud', '--layers', '--network=host', '--tls-verify=false', '-q', '-t', 'bench/app:buildah', context],
  }),
  reset: async (r) => {
    await freshUnmountedDir(join(r.scratch, 'buildah-root'));
    await freshUnmountedDir(join(r.scratch, 'buildah-run'));
  },
};

/**
 * The floor of the edit: the compile stage's `RUN sh build.sh src /out` (the step an edit reruns,
 * with the final stage's steps after it) on the host, no builder around it. Both builders run the
 * same script, so no builder can rebuild faster than this.
 */
export function scriptOnHostCase(label: string, files: number, compareTo: string): ProcessCase<BuildState> {
  const out = (r: Run): string => join(r.scratch, 'script-out');
  return {
    label,
    tool: 'sh',
    compareTo,
    prepare: async (r) => {
      const context = r.state.contexts.get(files);
      if (!context) throw new Error(`no context of ${files} files prepared`);
      await copyContext(context, contextDir(r), r.state.base);
    },
    before: async (r) => {
      await freshUnmountedDir(out(r));
      writeFileSync(join(contextDir(r), sourcePath(EDITED)), sourceText(EDITED, `${label} run ${r.run}`));
    },
    command: (r) => ({ argv: [...r.tool('sh'), 'build.sh', 'src', out(r)], cwd: contextDir(r) }),
    cleanup: async (r) => {
      await freshUnmountedDir(out(r));
    },
  };
}

/** One builder in one mode on the context of `files` source files. */
export function buildCase(builder: Builder, mode: BuildMode, label: string, files: number, compareTo?: string): ProcessCase<BuildState> {
  const command = (r: Run): CommandSpec => builder.build(r, contextDir(r));
  return {
    label,
    tool: builder.tool,
    ...(compareTo ? { compareTo } : {}),
    prepare: async (r) => {
      const context = r.state.contexts.get(files);
      if (!context) throw new Error(`no context of ${files} files prepared`);
      await copyContext(context, contextDir(r), r.state.base);
      await builder.reset(r);
      if (mode !== 'cold') await r.exec(command(r)); // the build the measured runs repeat
    },
    before: async (r) => {
      if (mode === 'cold') await builder.reset(r);
      if (mode === 'edit') writeFileSync(join(contextDir(r), sourcePath(EDITED)), sourceText(EDITED, `${label} run ${r.run}`));
    },
    command,
    cleanup: (r) => builder.reset(r),
  };
}
