import type { Instruction } from '../../dockerfile/instructions/instruction';
import { parseDockerfile } from '../../dockerfile/parse-dockerfile';
import type { StageState } from './stage-state';

/** The base's ONBUILD triggers, parsed; they run first and are cleared from the new image. */
export function onbuildTriggers(st: StageState, file: string): Instruction[] {
  const triggers = st.config.config.OnBuild ?? [];
  st.config.config.OnBuild = null;
  if (triggers.length === 0) return [];
  const df = parseDockerfile(`FROM scratch\n${triggers.join('\n')}\n`, { file: `${file} (ONBUILD triggers of the base image)` });
  return df.stages[0]!.instructions;
}
