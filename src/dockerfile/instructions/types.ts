import type { SourceRange } from '../errors';

/**
 * Typed instructions: what the builder executes. Each carries its source range
 * and the raw text it came from; flags are parsed into typed values. Values that
 * BuildKit expands with the stage's variables (see `expandInstruction`) are
 * kept as written here.
 */
export interface InstructionBase {
  /** the instruction word as written (case kept), e.g. `RUN`, `copy` */
  name: string;
  /** the logical line (continuations joined, comments dropped), trimmed */
  original: string;
  range: SourceRange;
  /** comment lines directly above */
  comments: string[];
  /** names of the --flags that were given */
  flagsUsed: string[];
}

export interface KeyValuePair {
  key: string;
  value: string;
  /** legacy `ENV k v` form (no `=`) */
  noDelim: boolean;
}

export interface ArgDefinition {
  key: string;
  /** undefined for `ARG name` without default */
  value?: string;
  /** `# NAME description` comment above the ARG */
  docComment?: string;
}

export interface ShellInlineFile {
  name: string;
  data: string;
  chomp: boolean;
}

/** Command line of RUN, CMD, ENTRYPOINT (shell form: one element, prependShell). */
export interface CommandLine {
  cmdLine: string[];
  prependShell: boolean;
  /** heredocs attached to RUN */
  files: ShellInlineFile[];
}

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

/** One `RUN --mount=...`, with BuildKit's defaults applied. */
export interface Mount {
  type: MountType;
  from?: string;
  source?: string;
  target?: string;
  readOnly: boolean;
  /** tmpfs size in bytes (0 = unlimited) */
  sizeLimit: number;
  /** `id=` (cache id, secret id, ssh id) */
  id?: string;
  sharing?: CacheSharing;
  required: boolean;
  /** secret exposed as this environment variable */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

export interface Device {
  name: string;
  required: boolean;
}

/** `--chmod`: octal (`0755`) or symbolic (`u+x,g-w`). */
export type ChmodSpec = { raw: string; octal: number } | { raw: string; symbolic: SymbolicModeClause[] };
export interface SymbolicModeClause {
  who: string;
  op: '+' | '-' | '=';
  perms: string;
}

/** `--chown=user[:group]` as written (names or ids). */
export interface ChownSpec {
  raw: string;
  user: string;
  group?: string;
}

/** What an ADD/COPY source is. */
export type SourceKind = 'context' | 'url' | 'git';

export interface HeredocSource {
  /** heredoc name, used as the file name */
  path: string;
  data: string;
  /** false when the delimiter was quoted */
  expand: boolean;
}

export interface HealthConfig {
  /** ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."] as Docker stores it */
  test: string[];
  /** durations in nanoseconds (0 = inherit / default) */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}
