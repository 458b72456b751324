import { BuildError } from '../../errors';
import { stepLogStream } from '../../progress/step-log';
import { PROXY_ARGS } from '../../dockerfile/instructions/args';
import type { RunInstruction } from '../../dockerfile/instructions/instruction';
import type { ExecContext } from './exec-context';
import { withShell } from './dispatch-meta';
import { runLayerStep } from './layer-step';
import { prepareRunMounts } from './run-mounts';
import { processEnv, runCommandString, type StageState } from './stage-state';

/** The argv a RUN executes: heredocs folded in as BuildKit does, the shell form wrapped in SHELL. */
function runArgs(st: StageState, ins: RunInstruction): string[] {
  let args = [...ins.cmdLine];
  if (ins.files.length > 0) {
    const first = ins.files[0]!;
    const single = ins.files.length === 1 && args.length === 1 && /^<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?$/.test(args[0]!.trim());
    if (single) {
      let data = first.data;
      if (first.chomp) data = data.replace(/^\t+/gm, '');
      if (data.startsWith('#!')) {
        throw new BuildError('BUILD_INSTRUCTION_INVALID', 'a RUN heredoc with a #! line is not supported yet', {});
      }
      args = [data];
    } else {
      args = [[args[0], ...ins.files.map((f) => `${f.data}${f.name}`)].join('\n')];
    }
  }
  return ins.prependShell ? withShell(st, args) : args;
}

/**
 * RUN: the command in a runc container on a snapshot of the stage's rootfs;
 * its changes become the layer. The process sees ENV and the ARGs in scope,
 * plus proxy build args (never recorded in the image).
 */
export async function dispatchRun(ctx: ExecContext, st: StageState, ins: RunInstruction, stepId: string, stageIndex: number, noCache: boolean): Promise<boolean> {
  const args = runArgs(st, ins);
  const env = processEnv(st);
  const buildArgs = ctx.options.buildArgs ?? {};
  for (const p of PROXY_ARGS) if (Object.hasOwn(buildArgs, p) && !st.env.has(p)) env.push(`${p}=${buildArgs[p]}`);
  const network = ins.network === 'default' ? (ctx.options.network ?? 'host') : ins.network;
  const cwd = st.config.config.WorkingDir || '/';
  const user = st.config.config.User || undefined;
  const mounts = ins.mounts.map((m, i) => {
    if (m === undefined) throw new BuildError('BUILD_INSTRUCTION_INVALID', `invalid --mount ${ins.mountSpecs[i]}`, {});
    return m;
  });
  const prepared = await prepareRunMounts(ctx, mounts, stageIndex, cwd);
  return runLayerStep(ctx, st, {
    createdBy: `RUN ${runCommandString(args, st)} # buildkit`,
    key: { op: 'run', args, env, cwd, user, network, ...(mounts.length > 0 ? { mounts: prepared.key } : {}) },
    noCache,
    change: (rootfs) =>
      prepared.use(cwd, (specMounts) => (require('./run-container') as typeof import('./run-container')).runInRootfs(rootfs, { // eslint-disable-line @typescript-eslint/no-require-imports
        mounts: specMounts,
        args,
        env,
        cwd,
        ...(user !== undefined ? { user } : {}),
        network,
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        stdout: stepLogStream(ctx.emit, stepId, 'stdout'),
        stderr: stepLogStream(ctx.emit, stepId, 'stderr'),
      })),
  });
}
