import { BuildError } from '../../errors';
import { stepLogStream } from '../../progress/step-log';
import { PROXY_ARGS } from '../../dockerfile/instructions/args';
import type { RunInstruction } from '../../dockerfile/instructions/instruction';
import type { ExecContext } from './exec-context';
import { withShell } from './dispatch-meta';
import { runLayerStep } from './layer-step';
import { runCommandOf, withScriptMount } from './run-heredoc';
import { prepareRunMounts } from './run-mounts';
import { processEnv, runCommandString, type StageState } from './stage-state';

/**
 * RUN: the command in a runc container on a snapshot of the stage's rootfs;
 * its changes become the layer. The process sees ENV and the ARGs in scope,
 * plus proxy build args (never recorded in the image).
 */
export async function dispatchRun(ctx: ExecContext, st: StageState, ins: RunInstruction, stepId: string, stageIndex: number, noCache: boolean): Promise<boolean> {
  const command = runCommandOf(ins);
  const args = ins.prependShell ? withShell(st, command.cmdLine) : command.cmdLine;
  const env = processEnv(st);
  // proxy build args reach the process but not the cache key (BuildKit's ProxyEnv): runners behind different proxies share a cache
  const keyEnv = [...env];
  const buildArgs = ctx.options.buildArgs ?? {};
  for (const p of PROXY_ARGS) if (Object.hasOwn(buildArgs, p) && !st.env.has(p)) env.push(`${p}=${buildArgs[p]}`);
  const network = ins.network === 'default' ? (ctx.options.network ?? 'host') : ins.network;
  const privileged = ins.security === 'insecure';
  if (privileged && !(ctx.options.allow ?? []).includes('security.insecure')) {
    throw new BuildError('BUILD_ENTITLEMENT_DENIED', 'security.insecure is not allowed (RUN --security=insecure needs hoist build --allow security.insecure)', { entitlement: 'security.insecure' });
  }
  const cwd = st.config.config.WorkingDir || '/';
  const user = st.config.config.User || undefined;
  const mounts = ins.mounts.map((m, i) => {
    if (m === undefined) throw new BuildError('BUILD_INSTRUCTION_INVALID', `invalid --mount ${ins.mountSpecs[i]}`, {});
    return m;
  });
  const prepared = await prepareRunMounts(ctx, mounts, stageIndex, cwd);
  for (const e of prepared.env) {
    if (env.some((x) => x.startsWith(`${e.slice(0, e.indexOf('='))}=`))) continue;
    env.push(e);
    keyEnv.push(e);
  }
  return runLayerStep(ctx, st, {
    createdBy: `RUN ${runCommandString(args, st)} # buildkit`,
    key: { op: 'run', args, env: keyEnv, cwd, user, network, ...(privileged ? { security: 'insecure' } : {}), ...(mounts.length > 0 ? { mounts: prepared.key } : {}), ...(command.script ? { script: command.script } : {}) },
    noCache,
    change: (rootfs) =>
      withScriptMount(command.script, (scriptMounts) => prepared.use((specMounts, secretEnv) => (require('./run-container') as typeof import('./run-container')).runInRootfs(rootfs, { // eslint-disable-line @typescript-eslint/no-require-imports
        mounts: [...specMounts, ...scriptMounts],
        args,
        // secret env= values: set for this process only, never in the key, the history or the config
        env: secretEnv.length > 0 ? [...env.filter((e) => !secretEnv.some((s) => e.startsWith(s.slice(0, s.indexOf('=') + 1)))), ...secretEnv] : env,
        cwd,
        ...(user !== undefined ? { user } : {}),
        network,
        ...(privileged ? { privileged } : {}),
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        stdout: stepLogStream(ctx.emit, stepId, 'stdout'),
        stderr: stepLogStream(ctx.emit, stepId, 'stderr'),
      }))),
  });
}
