import { BuildError, isHoistError } from '../../errors';
import { expandInstruction } from '../../dockerfile/instructions/expand-instruction';
import type { Instruction } from '../../dockerfile/instructions/instruction';
import { formatReference, parseReference } from '../../oci/reference';
import { resolveBaseImage } from './base-image';
import { dispatchCopy } from './dispatch-copy';
import { dispatchArg } from './dispatch-arg';
import { dispatchMeta } from './dispatch-meta';
import { dispatchRun } from './dispatch-run';
import { dispatchWorkdir } from './dispatch-workdir';
import { onbuildTriggers } from './onbuild-triggers';
import { cacheDisabled, type ExecContext } from './exec-context';
import { locate } from './locate-error';
import { envGetter, scratchState, stateFromImage, type StageState } from './stage-state';

/** A FROM image as BuildKit's progress names it: the normalised reference. */
function displayRef(ref: string): string {
  try {
    return formatReference(parseReference(ref));
  } catch {
    return ref;
  }
}

async function baseState(ctx: ExecContext, index: number): Promise<StageState> {
  const base = ctx.plan.stages[index]!.base;
  if (base.kind === 'scratch') return scratchState(ctx.platform);
  if (base.kind === 'stage') {
    const src = await ctx.stages.get(base.stage)!;
    const st = stateFromImage(src.config, src.layers, src.chainId, src.layerCreated, src.baseHistory, src.cacheId);
    st.config.config.OnBuild = null; // a stage's ONBUILD triggers do not carry over to a stage built on it (BuildKit's dispatchState.init)
    return st;
  }
  return resolveBaseImage(ctx, base.ref, base.platform);
}

/**
 * Build one stage: its base, the base's ONBUILD triggers, then each
 * instruction expanded against the stage's environment and dispatched. Errors
 * carry the instruction's file:line.
 */
export async function buildStage(ctx: ExecContext, index: number): Promise<StageState> {
  const planned = ctx.plan.stages[index]!;
  const { stage } = planned;
  const src = { file: ctx.df.file, lines: ctx.df.lines };
  const prefix = stage.name ?? `stage-${index}`;
  const single = ctx.df.stages.length === 1 && stage.name === undefined;
  const noCache = cacheDisabled(ctx, stage.name);
  const makesVertex = (ins: Instruction): boolean => ins.kind === 'RUN' || ins.kind === 'COPY' || ins.kind === 'ADD' || ins.kind === 'WORKDIR';
  const fromImage = planned.base.kind === 'image';
  // BuildKit's step count: the FROM of an image, and each instruction that makes a layer
  let total = (fromImage ? 1 : 0) + stage.instructions.filter(makesVertex).length;
  let n = 0;
  const width = (): number => String(total).length;
  const step = async <T>(text: string, line: number | undefined, vertex: boolean, fn: (id: string) => Promise<T>): Promise<T> => {
    const id = `${index}.${++n}`;
    const t0 = Date.now();
    let shown = false;
    if (vertex && total > 0) {
      const k = ++vertexCount;
      ctx.emit({ type: 'step-start', id, stage: prefix, index: k, total, name: `[${single ? '' : `${prefix} `}${String(k).padStart(width())}/${total}] ${text}` });
      ctx.stats.total++;
      shown = true;
    }
    try {
      const r = await fn(id);
      if (shown) ctx.emit({ type: 'step-done', id, ms: Date.now() - t0 });
      return r;
    } catch (err) {
      if (shown) ctx.emit({ type: 'step-error', id, code: isHoistError(err) ? err.code : 'INTERNAL', message: (err as Error).message });
      throw line === undefined ? err : locate(err, src, line);
    }
  };
  let vertexCount = 0;
  const fromText = planned.base.kind === 'image' ? `FROM ${displayRef(planned.base.ref)}` : stage.from.original.replace(/^\S+/, 'FROM');
  const st = await step(fromText, stage.from.range.start.line, fromImage, () => baseState(ctx, index));
  const triggers = onbuildTriggers(st, ctx.df.file);
  total += triggers.length;
  const instructions = [...triggers, ...stage.instructions];
  for (const [i, raw] of instructions.entries()) {
    const fromTrigger = i < triggers.length;
    const text = `${fromTrigger ? 'ONBUILD ' : ''}${raw.original.replace(/^\S+/, (w) => w.toUpperCase())}`;
    await step(text, fromTrigger ? stage.from.range.start.line : raw.range.start.line, fromTrigger || makesVertex(raw), async (id) => {
      if (raw.kind === 'ARG') return dispatchArg(ctx, st, raw);
      const ins = expandInstruction(raw, envGetter(st), { escapeToken: ctx.df.escapeToken }).instruction;
      if (dispatchMeta(st, ins)) return;
      let cached: boolean;
      switch (ins.kind) {
        case 'RUN':
          cached = await dispatchRun(ctx, st, ins, id, index, noCache);
          break;
        case 'WORKDIR':
          cached = await dispatchWorkdir(ctx, st, ins, noCache);
          break;
        case 'COPY':
        case 'ADD':
          cached = await dispatchCopy(ctx, st, ins, index, noCache);
          break;
        default:
          throw new BuildError('BUILD_INSTRUCTION_INVALID', `${ins.kind} cannot be built`, {});
      }
      if (cached) {
        ctx.stats.cached++;
        ctx.emit({ type: 'step-cached', id });
      }
    });
  }
  return st;
}
