import type { BuildEvent } from '../../progress';
import type { Step } from './build-steps';

type Warning = Extract<BuildEvent, { type: 'warning' }>;
type BuildDone = Extract<BuildEvent, { type: 'build-done' }>;

/** The block BuildKit prints after a failed step: its name and its last output lines. */
export function errorBlock(step: Step): string[] {
  return ['------', ` > ${step.name}:`, ...step.tail, '------'];
}

/** The warnings at the end of a build, as BuildKit lists them. */
export function warningLines(warnings: readonly Warning[]): string[] {
  if (warnings.length === 0) return [];
  const head = ` ${warnings.length} warning${warnings.length === 1 ? '' : 's'} found:`;
  return [head, ...warnings.map((w) => ` - ${w.message}${w.location ? ` (${w.location})` : ''}`)];
}

/** The export's sub-lines (the image ID and each tag), as BuildKit's "exporting to image" shows them. */
export function exportLines(ev: BuildDone): string[] {
  return [`writing image ${ev.imageId}`, ...ev.tags.map((t) => `naming to ${t}`)];
}
