import { NON_ENV_ARGS } from '../../dockerfile/instructions/args';
import type { ArgInstruction } from '../../dockerfile/instructions/instruction';
import { expandWord } from '../../dockerfile/shell/expand';
import { addHistory } from './dispatch-meta';
import { envGetter, type StageState } from './stage-state';

/** What ARG reads of a build: its build args, the global ARGs, the escape token; it records the ARGs used. */
export interface ArgScope {
  options: { buildArgs?: Record<string, string> };
  plan: { globalArgs: Map<string, string> };
  df: { escapeToken: string };
  usedArgs: Set<string>;
}

/**
 * ARG (BuildKit's dispatchArg): the build-arg value, else the default
 * expanded, else the global value. The history shows the declaration as
 * written (its default, not the value used), as Docker 20.10's BuildKit does.
 */
export function dispatchArg(scope: ArgScope, st: StageState, ins: ArgInstruction): void {
  const buildArgs = scope.options.buildArgs ?? {};
  const commit: string[] = [];
  for (const a of ins.args) {
    const declared = a.value === undefined ? undefined : expandWord(a.value, envGetter(st), { escapeToken: scope.df.escapeToken }).result;
    let value: string | undefined;
    if (Object.hasOwn(buildArgs, a.key)) value = buildArgs[a.key];
    else value = declared ?? scope.plan.globalArgs.get(a.key);
    if (value !== undefined && !(NON_ENV_ARGS as readonly string[]).includes(a.key)) st.env.set(a.key, value);
    st.args.push({ key: a.key, ...(value !== undefined ? { value } : {}) });
    scope.usedArgs.add(a.key);
    commit.push(declared !== undefined ? `${a.key}=${declared}` : a.key);
  }
  addHistory(st, `ARG ${commit.join(' ')}`, false);
}
