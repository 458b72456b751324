import { isHoistError } from '../../errors';
import { expandInstruction } from '../../dockerfile/instructions/expand-instruction';
import type { Instruction } from '../../dockerfile/instructions/instruction';
import { parseDockerfile, type ParsedDockerfile } from '../../dockerfile/parse-dockerfile';
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from '../../oci/platform';
import { formatReference, parseReference } from '../../oci/reference';
import { dispatchArg } from '../exec/dispatch-arg';
import { addHistory, dispatchMeta } from '../exec/dispatch-meta';
import { normalizeWorkdir } from '../exec/dispatch-workdir';
import { locate } from '../exec/locate-error';
import { onbuildTriggers } from '../exec/onbuild-triggers';
import { envGetter, scratchState, stateFromImage, type StageState } from '../exec/stage-state';
import { planStages, type BuildPlan } from './plan-stages';
import { planCopy, planRun, type PlanNeeds, type StepScope } from './plan-step';
import type { BuildPlanReport, PlanBuildOptions, PlannedStageReport, PlannedStep } from './plan-types';
import { sourceDateEpochOf } from './source-date-epoch';

interface Planning {
  df: ParsedDockerfile;
  plan: BuildPlan;
  options: PlanBuildOptions;
  platform: Platform;
  needs: PlanNeeds;
  usedArgs: Set<string>;
  unknownBases: Set<string>;
  states: Map<number, StageState>;
}

/** A stage's starting state: scratch, an earlier stage's result, or the base image's config (when the caller has it). */
function startState(p: Planning, i: number, report: PlannedStageReport, platform: Platform): StageState {
  const base = p.plan.stages[i]!.base;
  if (base.kind === 'scratch') return scratchState(platform);
  if (base.kind === 'stage') {
    const src = p.states.get(base.stage) ?? scratchState(platform);
    const st = stateFromImage(src.config, [], undefined, undefined, src.baseHistory);
    st.config.config.OnBuild = null; // not carried over from a stage (BuildKit's dispatchState.init)
    return st;
  }
  const ref = formatReference(parseReference(base.ref));
  const config = p.options.baseConfig?.(ref, platform);
  if (report.base.kind === 'image') report.base = { ...report.base, ref, configKnown: config !== undefined };
  if (config !== undefined) return stateFromImage(config, [], undefined);
  p.unknownBases.add(ref);
  return scratchState(platform);
}

/** One instruction, expanded in the stage's environment and resolved; the stage's state moves on as the build's would. */
function planInstruction(p: Planning, scope: StepScope, st: StageState, raw: Instruction, trigger: boolean): PlannedStep {
  const kind = raw.kind;
  const step = (layer: boolean, resolved: Record<string, unknown>, text?: string): PlannedStep => ({
    line: raw.range.start.line,
    kind,
    ...(trigger ? { trigger } : {}),
    text: text ?? st.config.history[st.config.history.length - 1]?.created_by ?? raw.original,
    layer,
    resolved,
  });
  if (raw.kind === 'ARG') {
    dispatchArg({ options: { buildArgs: p.options.buildArgs ?? {} }, plan: p.plan, df: p.df, usedArgs: p.usedArgs }, st, raw);
    return step(false, { args: Object.fromEntries(raw.args.map((a) => [a.key, st.env.get(a.key) ?? null])) });
  }
  const ins = expandInstruction(raw, envGetter(st), { escapeToken: p.df.escapeToken }).instruction;
  const layerText = `${trigger ? 'ONBUILD ' : ''}${raw.original.replace(/^\S+/, (w) => w.toUpperCase())}`;
  switch (ins.kind) {
    case 'RUN':
      return step(true, planRun(scope, st, ins), layerText);
    case 'COPY':
    case 'ADD':
      return step(true, planCopy(scope, st, ins), layerText);
    case 'WORKDIR': {
      const wd = normalizeWorkdir(st.config.config.WorkingDir, ins.path);
      st.config.config.WorkingDir = wd;
      addHistory(st, `WORKDIR ${wd}`, wd !== '/');
      return step(wd !== '/', { path: wd }, layerText);
    }
    case 'ONBUILD':
      dispatchMeta(st, ins);
      return step(false, { trigger: ins.expression, ...(ins.trigger ? { triggerKind: ins.trigger.kind } : {}) }, `ONBUILD ${ins.expression}`);
    default:
      dispatchMeta(st, ins);
      return step(false, {});
  }
}

function planStage(p: Planning, i: number): PlannedStageReport {
  const planned = p.plan.stages[i]!;
  const { stage } = planned;
  const src = { file: p.df.file, lines: p.df.lines };
  const built = p.plan.order.includes(i);
  const base: PlannedStageReport['base'] =
    planned.base.kind === 'image' ? { kind: 'image', ref: planned.base.ref, ...(planned.base.platform ? { platform: planned.base.platform } : {}), configKnown: false } : planned.base;
  const report: PlannedStageReport = { index: i, ...(stage.name ? { name: stage.name } : {}), built, base, platform: formatPlatform(p.platform), steps: [], problems: [] };
  let st: StageState = scratchState(p.platform);
  try {
    const platform = planned.base.kind === 'image' && planned.base.platform ? parsePlatform(planned.base.platform) : p.platform;
    report.platform = formatPlatform(platform);
    st = startState(p, i, report, platform);
    const scope: StepScope = { stages: p.df.stages, stageIndex: i, needs: p.needs };
    const triggers = onbuildTriggers(st, p.df.file);
    for (const [k, raw] of [...triggers, ...stage.instructions].entries()) {
      const trigger = k < triggers.length;
      try {
        report.steps.push(planInstruction(p, scope, st, raw, trigger));
      } catch (err) {
        throw locate(err, src, trigger ? stage.from.range.start.line : raw.range.start.line);
      }
    }
  } catch (err) {
    // BuildKit expands only the stages the target reaches: elsewhere a failure is a note, not an error
    if (built || !isHoistError(err)) throw locate(err, src, stage.from.range.start.line);
    report.problems.push(err.message);
  } finally {
    p.states.set(i, st);
  }
  return report;
}

/**
 * Plan a build without running it (`hoist build --dry-run`): the stage graph,
 * and every instruction of every stage expanded and resolved as the build
 * would (ARGs, ENV, WORKDIR, USER and SHELL carried along; RUN mounts,
 * network, security and heredocs; COPY/ADD sources, destination and flags;
 * `--from` references; ONBUILD triggers of bases the caller knows). Nothing is
 * pulled, read from a context or executed. Errors are the build's, with their
 * file:line; a stage the target does not reach reports its problems instead.
 */
export function planBuild(options: PlanBuildOptions): BuildPlanReport {
  const df = parseDockerfile(options.dockerfileText, { file: options.file ?? 'Dockerfile' });
  const platform = options.platform ? parsePlatform(options.platform) : hostPlatform();
  const buildArgs = options.buildArgs ?? {};
  const plan = planStages(df, { buildArgs, ...(options.target ? { target: options.target } : {}), buildPlatform: hostPlatform(), targetPlatform: platform });
  const p: Planning = {
    df,
    plan,
    options,
    platform,
    needs: { secrets: new Map(), ssh: new Map(), entitlements: new Set() },
    usedArgs: new Set(),
    unknownBases: new Set(),
    states: new Map(),
  };
  const stages = df.stages.map((_, i) => planStage(p, i));
  const epoch = sourceDateEpochOf(buildArgs, plan.globalArgs);
  return {
    file: df.file,
    target: plan.target,
    order: plan.order,
    stages,
    globalArgs: Object.fromEntries(plan.globalArgs),
    secrets: [...p.needs.secrets].map(([id, required]) => ({ id, required })),
    ssh: [...p.needs.ssh].map(([id, required]) => ({ id, required })),
    entitlements: [...p.needs.entitlements].sort(),
    unknownBases: [...p.unknownBases].sort(),
    ...(epoch !== undefined ? { sourceDateEpoch: epoch } : {}),
  };
}
