import type { ProgressEvent } from '../../progress';
import { BuildSteps } from './build-steps';
import { errorBlock, exportLines, warningLines } from './build-summary';
import { stepSeconds } from './format';
import type { ProgressRenderer } from './progress-renderer';
import { TransferRows } from './transfer-rows';

export interface PlainOptions {
  write: (s: string) => void;
  now: () => number;
  debug: boolean;
}

/**
 * One line per event, nothing redrawn (logs, CI, a pipe). Pull and push as
 * docker prints them ("abc123: Pull complete"); build steps in BuildKit's
 * plain style: `#3 [build 2/5] RUN make`, `#3 0.254 output line`,
 * `#3 DONE 1.2s`, `#3 CACHED`, `#3 ERROR: …`, a blank line when the step
 * being printed changes.
 */
export function createPlainRenderer(options: PlainOptions): ProgressRenderer {
  const { write, now } = options;
  const steps = new BuildSteps(now);
  const transfers = new TransferRows(now, options.debug);
  const warnings: Extract<ProgressEvent, { type: 'warning' }>[] = [];
  let current: number | undefined;
  let closed = false;

  const stepLine = (n: number, text: string) => {
    if (current !== undefined && current !== n) write('\n');
    current = n;
    write(`#${n} ${text}\n`);
  };

  return {
    onEvent(ev) {
      switch (ev.type) {
        case 'step-start':
        case 'step-cached':
        case 'step-log':
        case 'step-done':
        case 'step-error': {
          const lines = steps.apply(ev);
          const step = steps.get(ev.id);
          if (step === undefined) return;
          for (const l of lines) stepLine(step.number, `${(l.offsetMs / 1000).toFixed(3)} ${l.text}`);
          if (ev.type === 'step-start') stepLine(step.number, step.name);
          else if (ev.type === 'step-cached') stepLine(step.number, 'CACHED');
          else if (ev.type === 'step-done') stepLine(step.number, `DONE ${stepSeconds(ev.ms)}`);
          else if (ev.type === 'step-error') stepLine(step.number, `ERROR: ${ev.message}`);
          return;
        }
        case 'warning':
          warnings.push(ev);
          return;
        case 'build-done': {
          const n = steps.steps.length + 1;
          stepLine(n, 'exporting to image');
          for (const l of exportLines(ev)) stepLine(n, `${l} done`);
          stepLine(n, `DONE ${stepSeconds(0)}`);
          return;
        }
        default: {
          const line = transfers.apply(ev);
          if (line !== undefined) write(`${line}\n`);
        }
      }
    },
    close() {
      if (closed) return;
      closed = true;
      const tail = [...steps.steps.filter((s) => s.state === 'error').flatMap(errorBlock), ...warningLines(warnings)];
      if (tail.length > 0) write(`${current !== undefined ? '\n' : ''}${tail.join('\n')}\n`);
    },
  };
}
