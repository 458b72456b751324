import { digestOf } from '../../../../src/oci/digest';
import type { ProgressEvent } from '../../../../src/progress';

/** A build's events with the clock time (ms) each arrives at: a cached step, a step with output, a failed step, a warning. */
export function failingBuild(): [number, ProgressEvent][] {
  return [
    [0, { type: 'step-start', id: 'ctx', index: 1, total: 1, name: '[internal] load build definition from Dockerfile' }],
    [10, { type: 'step-start', id: 'from', stage: 'build', index: 1, total: 3, name: '[build 1/3] FROM docker.io/library/busybox' }],
    [20, { type: 'step-cached', id: 'from' }],
    [30, { type: 'step-done', id: 'ctx', ms: 30 }],
    [100, { type: 'step-start', id: 'make', stage: 'build', index: 2, total: 3, name: '[build 2/3] RUN make' }],
    [200, { type: 'step-log', id: 'make', stream: 'stdout', data: 'compiling a\ncomp' }],
    [300, { type: 'step-log', id: 'make', stream: 'stdout', data: 'iling b\n' }],
    [400, { type: 'step-log', id: 'make', stream: 'stderr', data: 'warning: unused x\n' }],
    [1334, { type: 'step-done', id: 'make', ms: 1234 }],
    [1400, { type: 'step-start', id: 'test', stage: 'build', index: 3, total: 3, name: '[build 3/3] RUN ./test' }],
    [1500, { type: 'step-log', id: 'test', stream: 'stderr', data: 'FAIL: one\n' }],
    [1600, { type: 'step-error', id: 'test', code: 'BUILD_RUN_FAILED', message: 'process "/bin/sh -c ./test" did not complete successfully: exit code: 1' }],
    [1600, { type: 'warning', message: "UndefinedVar: Usage of undefined variable '$X'", location: 'Dockerfile:3' }],
  ];
}

export const IMAGE_ID = digestOf('config');

/** A build whose steps are all cached, ending with its image ID and tags. */
export function cachedBuild(): [number, ProgressEvent][] {
  return [
    [0, { type: 'step-start', id: 'a', index: 1, total: 2, name: '[1/2] FROM docker.io/library/busybox' }],
    [0, { type: 'step-cached', id: 'a' }],
    [5, { type: 'step-start', id: 'b', index: 2, total: 2, name: '[2/2] COPY . /src' }],
    [5, { type: 'step-cached', id: 'b' }],
    [50, { type: 'build-done', imageId: IMAGE_ID, tags: ['docker.io/library/app:latest', 'docker.io/library/app:1'], ms: 50 }],
  ];
}

/** Feeds timed events to a listener, moving the clock `clock.t` before each. */
export function play(events: [number, ProgressEvent][], clock: { t: number }, onEvent: (e: ProgressEvent) => void): void {
  for (const [t, ev] of events) {
    clock.t = t;
    onEvent(ev);
  }
}
