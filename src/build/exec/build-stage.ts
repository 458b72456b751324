import { BuildError, isHoistError } from '../../errors';
import { firstNonSpaceColumn, withSource, type ErrorSource } from '../../dockerfile/errors';
import { NON_ENV_ARGS } from '../../dockerfile/instructions/args';
import { expandInstruction } from '../../dockerfile/instructions/expand-instruction';
import type { ArgInstruction, Instruction } from '../../dockerfile/instructions/instruction';
import { parseDockerfile } from '../../dockerfile/parse-dockerfile';
import { expandWord } from '../../dockerfile/shell/expand';
import { formatReference, parseReference } from '../../oci/reference';
import { resolveBaseImage } from './base-image';
import { dispatchCopy } from './dispatch-copy';
import { addHistory, dispatchMeta } from './dispatch-meta';
import { dispatchRun } from './dispatch-run';
import { dispatchWorkdir } from './dispatch-workdir';
import { cacheDisabled, type ExecContext } from './exec-context';
import { envGetter, scratchState, stateFromImage, type StageState } from './stage-state';

/** A step's error, pointing at its instruction: `Dockerfile:LINE:COL: message` with the source line. */
function locate(err: unknown, src: ErrorSource, line: number): unknown {
  const e = withSource(err, src, { line });
  if (isHoistError(e) && e.details.line !== undefined) return e;
  const text = src.lines?.[line - 1];
  const column = text !== undefined ? firstNonSpaceColumn(text) : 1;
  const code = isHoistError(e) ? e.code : 'IO_ERROR';
  const details = { ...(isHoistError(e) ? e.details : {}), file: src.file, line, column, ...(text !== undefined ? { sourceLine: text } : {}) };
  return new BuildError(code, `${src.file}:${line}:${column}: ${(e as Error).message}`, details, { cause: e });
}

/** A FROM image as BuildKit's progress names it: the normalised reference. */
function displayRef(ref: string): string {
  try {
    return formatReference(parseReference(ref));
  } catch {
    return ref;
  }
}

/**
 * ARG (BuildKit's dispatchArg): the build-arg value, else the default
 * expanded, else the global value. The history shows the declaration as
 * written (its default, not the value used), as Docker 20.10's BuildKit does.
 */
function dispatchArg(ctx: ExecContext, st: StageState, ins: ArgInstruction): void {
  const buildArgs = ctx.options.buildArgs ?? {};
  const commit: string[] = [];
  for (const a of ins.args) {
    const declared = a.value === undefined ? undefined : expandWord(a.value, envGetter(st), { escapeToken: ctx.df.escapeToken }).result;
    let value: string | undefined;
    if (Object.hasOwn(buildArgs, a.key)) value = buildArgs[a.key];
    else value = declared ?? ctx.plan.globalArgs.get(a.key);
    if (value !== undefined && !(NON_ENV_ARGS as readonly string[]).includes(a.key)) st.env.set(a.key, value);
    st.args.push({ key: a.key, ...(value !== undefined ? { value } : {}) });
    ctx.usedArgs.add(a.key);
    commit.push(declared !== undefined ? `${a.key}=${declared}` : a.key);
  }
  addHistory(st, `ARG ${commit.join(' ')}`, false);
}

/** The base's ONBUILD triggers, parsed; they run first and are cleared from the new image. */
function onbuildTriggers(st: StageState, file: string): Instruction[] {
  const triggers = st.config.config.OnBuild ?? [];
  st.config.config.OnBuild = null;
  if (triggers.length === 0) return [];
  const df = parseDockerfile(`FROM scratch\n${triggers.join('\n')}\n`, { file: `${file} (ONBUILD triggers of the base image)` });
  return df.stages[0]!.instructions;
}

async function baseState(ctx: ExecContext, index: number): Promise<StageState> {
  const base = ctx.plan.stages[index]!.base;
  if (base.kind === 'scratch') return scratchState(ctx.platform);
  if (base.kind === 'stage') {
    const src = await ctx.stages.get(base.stage)!;
    return stateFromImage(src.config, src.layers, src.chainId, src.layerCreated);
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
