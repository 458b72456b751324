import { BuildError } from '../../errors';
import { withSource } from '../../dockerfile/errors';
import type { ParsedDockerfile } from '../../dockerfile/parse-dockerfile';
import type { Stage } from '../../dockerfile/instructions/stages';
import { defaultPlatformArgs, resolveGlobalArgs } from '../../dockerfile/instructions/args';
import { envFrom } from '../../dockerfile/shell/env';
import { expandWord } from '../../dockerfile/shell/expand';
import type { Platform } from '../../oci/platform';
import { locate } from '../exec/locate-error';

/** Where a stage starts. */
export type StageBase = { kind: 'scratch' } | { kind: 'stage'; stage: number } | { kind: 'image'; ref: string; platform?: string };

/** A stage as the executor runs it: its base, and the stages it reads from. */
export interface PlannedStage {
  stage: Stage;
  /** display name: `AS` name, else the index */
  label: string;
  base: StageBase;
  /** stages this one needs (FROM, COPY --from, RUN --mount from=) */
  deps: number[];
}

export interface BuildPlan {
  /** every stage (index = position); only those in `order` are built */
  stages: PlannedStage[];
  /** the stages to build, each after its dependencies */
  order: number[];
  target: number;
  /** global ARGs resolved (FROM lines expand against these) */
  globalArgs: Map<string, string>;
}

export interface PlanOptions {
  buildArgs: Record<string, string>;
  target?: string;
  buildPlatform: Platform;
  targetPlatform: Platform;
}

/** `--from` / `from=` naming a stage: a stage name (case-insensitive) or an earlier index. */
export function stageIndexOf(stages: readonly Stage[], name: string, before: number): number | undefined {
  const lower = name.toLowerCase();
  const byName = stages.findIndex((s) => s.name === lower);
  if (byName >= 0 && byName < before) return byName;
  if (/^[0-9]+$/.test(name)) {
    const i = Number(name);
    if (i < before) return i;
  }
  return undefined;
}

/**
 * The stage graph (BuildKit's dispatchStates): FROM names resolved against the
 * global ARGs, stage references by name or index, and the stages the target
 * reaches (others are not built).
 */
export function planStages(df: ParsedDockerfile, options: PlanOptions): BuildPlan {
  const src = { file: df.file, lines: df.lines };
  const stages = df.stages;
  let target = stages.length - 1;
  if (options.target !== undefined && options.target !== '') {
    const i = stages.findIndex((s) => s.name === options.target!.toLowerCase());
    if (i < 0) throw new BuildError('BUILD_TARGET_NOT_FOUND', `target stage "${options.target}" could not be found`, { target: options.target });
    target = i;
  }
  const defaults = defaultPlatformArgs({
    buildPlatform: options.buildPlatform,
    targetPlatform: options.targetPlatform,
    ...(options.target ? { target: options.target } : {}),
  });
  const globalArgs = resolveGlobalArgs(df.globalArgs, options.buildArgs, defaults, df.escapeToken);
  const env = envFrom(globalArgs);
  const planned: PlannedStage[] = stages.map((stage, i) => {
    const at = { line: stage.from.range.start.line, endLine: stage.from.range.end.line };
    let baseName: string;
    try {
      baseName = expandWord(stage.from.baseName, env, { escapeToken: df.escapeToken }).result;
    } catch (err) {
      throw withSource(err, src, at);
    }
    if (baseName === '') throw withSource(new BuildError('BUILD_INSTRUCTION_INVALID', `base name (${stage.from.baseName}) should not be blank`, {}), src, at);
    const platform = stage.from.platform === undefined ? undefined : expandWord(stage.from.platform, env).result;
    const deps = new Set<number>();
    let base: StageBase;
    const fromStage = stageIndexOf(stages, baseName, i);
    if (baseName.toLowerCase() === 'scratch') base = { kind: 'scratch' };
    else if (fromStage !== undefined && !/^[0-9]+$/.test(baseName)) {
      base = { kind: 'stage', stage: fromStage };
      deps.add(fromStage);
    } else base = { kind: 'image', ref: baseName, ...(platform ? { platform } : {}) };
    for (const ins of stage.instructions) {
      const refs: string[] = [];
      if (ins.kind === 'COPY' && ins.from !== undefined) {
        // BuildKit's toCommand, for every stage: --from is a name, never expanded
        if (expandWord(ins.from, envFrom(new Map()), { escapeToken: df.escapeToken }).result !== ins.from) {
          throw locate(new BuildError('BUILD_INSTRUCTION_INVALID', 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', { from: ins.from }), src, ins.range.start.line);
        }
        refs.push(ins.from);
      }
      if (ins.kind === 'RUN') for (const m of ins.mounts) if (m?.from !== undefined) refs.push(m.from);
      for (const r of refs) {
        const j = stageIndexOf(stages, r, i);
        if (j !== undefined) deps.add(j);
        else if (stages.some((s, k) => k >= i && s.name === r.toLowerCase())) {
          throw locate(new BuildError('BUILD_STAGE_CYCLE', `stage "${r}" is not defined before it is used (circular dependency)`, { stage: r }), src, ins.range.start.line);
        }
      }
    }
    return { stage, label: stage.name ?? String(i), base, deps: [...deps] };
  });
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const d of planned[i]!.deps) visit(d);
    order.push(i);
  };
  visit(target);
  return { stages: planned, order, target, globalArgs };
}
