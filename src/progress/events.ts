import type { Digest } from '../oci/digest';

/**
 * The one progress vocabulary of hoist: what pull, push, load and build
 * report while they work, as plain data any front end renders (cli/render:
 * a live TTY view, plain lines, JSON lines, nothing). Events carry no
 * credentials and no URLs with secrets.
 */

/** Bytes moving to or from a registry (pull, push, a build's base image). */
export type TransferEvent =
  | { type: 'resolve'; ref: string; digest: Digest; mediaType: string }
  | { type: 'blob-start'; action: 'pull' | 'push'; digest: Digest; size: number; mediaType: string; offset?: number }
  | { type: 'blob-progress'; action: 'pull' | 'push'; digest: Digest; current: number; total: number }
  | { type: 'blob-skip'; action: 'pull' | 'push'; digest: Digest; size: number; reason: 'exists' | 'mounted' }
  | { type: 'blob-done'; action: 'pull' | 'push'; digest: Digest; size: number; mountedFrom?: string }
  | { type: 'blob-error'; action: 'pull' | 'push'; digest: Digest; code: string; message: string }
  | { type: 'retry'; attempt: number; maxAttempts: number; delayMs: number; reason: string; what: string }
  | { type: 'manifest'; action: 'pull' | 'push'; digest: Digest; mediaType: string; ref?: string }
  | { type: 'done'; action: 'pull' | 'push'; ref: string; digest: Digest; bytes: number; ms: number };

/**
 * A build's steps, BuildKit's vertices: each starts once, then is cached,
 * or logs and ends done or in error. `id` is unique within one build.
 */
export type BuildEvent =
  /** `name` is the line a user reads, e.g. "[build 2/5] RUN make"; index is 1-based within the stage */
  | { type: 'step-start'; id: string; stage?: string; index: number; total: number; name: string }
  | { type: 'step-cached'; id: string }
  /** a chunk of a step's output as it came (not necessarily whole lines) */
  | { type: 'step-log'; id: string; stream: 'stdout' | 'stderr'; data: string }
  | { type: 'step-done'; id: string; ms: number }
  | { type: 'step-error'; id: string; code: string; message: string }
  /** a build check's finding (`location` as "Dockerfile:3") or any other warning */
  | { type: 'warning'; message: string; location?: string }
  | { type: 'build-done'; imageId: Digest; tags: string[]; ms: number };

export type ProgressEvent = TransferEvent | BuildEvent;

export type ProgressListener = (event: ProgressEvent) => void;
