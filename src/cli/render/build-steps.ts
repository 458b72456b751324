import type { BuildEvent } from '../../progress';

export type StepState = 'running' | 'cached' | 'done' | 'error';

export interface Step {
  id: string;
  /** BuildKit's vertex number: 1, 2, … in the order steps started */
  number: number;
  name: string;
  state: StepState;
  startedAt: number;
  /** set when the step ends: the builder's figure for done, else measured */
  ms?: number;
  error?: { code: string; message: string };
  /** the last whole lines of output (at most `keepLines`) */
  tail: string[];
}

/** A whole line of a step's output, with when it arrived relative to the step's start. */
export interface StepLine {
  step: Step;
  text: string;
  offsetMs: number;
}

/**
 * The state of a build's steps as the renderers need it: numbered in start
 * order, output cut into lines (a chunk may hold several lines or part of
 * one), and the last lines of each step kept for the live view and for the
 * error block. Unknown ids (an event before its step-start) are ignored.
 */
export class BuildSteps {
  readonly steps: Step[] = [];
  private readonly byId = new Map<string, Step>();
  private readonly partial = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly keepLines = 10,
  ) {}

  get(id: string): Step | undefined {
    return this.byId.get(id);
  }

  /** Applies one event; returns the whole lines it completed (for step-log and a step's end). */
  apply(ev: BuildEvent): StepLine[] {
    if (ev.type === 'step-start') {
      const step: Step = { id: ev.id, number: this.steps.length + 1, name: ev.name, state: 'running', startedAt: this.now(), tail: [] };
      this.steps.push(step);
      this.byId.set(ev.id, step);
      return [];
    }
    if (ev.type === 'warning' || ev.type === 'build-done') return [];
    const step = this.byId.get(ev.id);
    if (step === undefined) return [];
    switch (ev.type) {
      case 'step-log':
        return this.lines(step, `${ev.stream}`, ev.data, false);
      case 'step-cached':
        step.state = 'cached';
        step.ms = 0;
        return [];
      case 'step-done':
        step.state = 'done';
        step.ms = ev.ms;
        return this.flush(step);
      case 'step-error':
        step.state = 'error';
        step.ms = this.now() - step.startedAt;
        step.error = { code: ev.code, message: ev.message };
        return this.flush(step);
    }
  }

  /** Elapsed time of a step: its final figure once it ended. */
  elapsed(step: Step): number {
    return step.ms ?? this.now() - step.startedAt;
  }

  counts(): { finished: number; total: number } {
    return { finished: this.steps.filter((s) => s.state !== 'running').length, total: this.steps.length };
  }

  private flush(step: Step): StepLine[] {
    return [...this.lines(step, 'stdout', '', true), ...this.lines(step, 'stderr', '', true)];
  }

  private lines(step: Step, stream: string, data: string, end: boolean): StepLine[] {
    const key = `${step.id}\0${stream}`;
    const parts = ((this.partial.get(key) ?? '') + data).split('\n');
    let rest = parts.pop()!;
    if (end && rest !== '') {
      parts.push(rest);
      rest = '';
    }
    if (rest === '') this.partial.delete(key);
    else this.partial.set(key, rest);
    const offsetMs = this.now() - step.startedAt;
    const out: StepLine[] = [];
    for (const raw of parts) {
      // a carriage return redraws the line (progress bars): keep what it shows last
      const text = raw.slice(raw.lastIndexOf('\r', raw.length - 2) + 1).replace(/\r$/, '');
      out.push({ step, text, offsetMs });
      step.tail.push(text);
      if (step.tail.length > this.keepLines) step.tail.shift();
    }
    return out;
  }
}
