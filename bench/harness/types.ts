// The shapes a workload module fills in. A workload is data plus a few hooks; the harness owns
// the loop (warm-up, alternation, measurement), the peers and the report.

/** A command the harness runs as a child process and measures. Never a shell string. */
export interface CommandSpec {
  /** argv[0] is an absolute path, as returned by `RunContext.tool(name)`. */
  argv: string[];
  /** Added to the harness's own environment. */
  env?: Record<string, string>;
  cwd?: string;
}

/** What the harness hands to `setup` and `teardown`. */
export interface BenchContext {
  /** The cache of fixtures and scratch space: `$HOIST_BENCH_DIR`, default `/var/tmp/hoist-bench`. */
  workDir: string;
  /** The repository root (holds `bin/hoist` and `dist/`). */
  repoRoot: string;
  /** Small sizes, for the smoke test: fixtures of ~20 MiB instead of ~1 GiB. */
  quick: boolean;
  /** Progress lines on stderr. */
  log(message: string): void;
}

/** What a case hook gets: the workload's state, the case's own scratch dir and its tools. */
export interface RunContext<S> extends BenchContext {
  state: S;
  /** A directory owned by this case, created empty before `prepare`, removed after `cleanup`. */
  scratch: string;
  /** Measured run number: 1..runs; warm-ups are numbered 0, -1, ...; 0 in prepare/cleanup. */
  run: number;
  /** The argv prefix of the case's tool or one of its `needs`, e.g. `['/usr/bin/docker', '-H', 'unix:///...']`. */
  tool(name: string): string[];
  /** Run an unmeasured command to completion; rejects with its stderr when it exits non-zero. */
  exec(spec: CommandSpec): Promise<string>;
}

/** One side of a comparison: hoist, or a peer tool doing the same job. */
export interface ProcessCase<S> {
  /** Row label, e.g. `hoist`, `docker load`, `skopeo copy`. */
  label: string;
  /**
   * The tool this case needs (`hoist`, `docker`, `skopeo`, ... as named in `tools.ts`). A case
   * whose tool is missing is reported as `not installed` (`not built` for hoist) and never run.
   */
  tool: string;
  /**
   * Other tools this case's hooks call (e.g. `skopeo` to prepare the layout an `umoci` case
   * reads). When one is missing the case is reported `unavailable: needs ...` and not run.
   */
  needs?: string[];
  /** For a peer: the label of the hoist case it is compared with. Default: the first hoist case. */
  compareTo?: string;
  /** Once, before the first run of this case (e.g. load the image the save case will save). */
  prepare?(run: RunContext<S>): Promise<void>;
  /** Before each run, unmeasured (e.g. wipe the destination so each load is cold). */
  before?(run: RunContext<S>): Promise<void>;
  /** The measured command. */
  command(run: RunContext<S>): CommandSpec;
  /** After each run, unmeasured (e.g. delete the loaded image). */
  after?(run: RunContext<S>): Promise<void>;
  /** Once, after the last run. */
  cleanup?(run: RunContext<S>): Promise<void>;
}

/** A workload measured as child processes: every case runs under `/usr/bin/time`. */
export interface ProcessWorkload<S> {
  kind: 'process';
  /** Selects the workload on the command line: `npm run bench -- load save`. */
  name: string;
  description: string;
  /** Builds or finds the fixture (cached under `ctx.workDir`) and returns what the cases need. */
  setup(ctx: BenchContext): Promise<S>;
  cases: ProcessCase<S>[];
  teardown?(ctx: BenchContext, state: S): Promise<void>;
}

/** One number an in-process workload reports for one iteration. */
export interface Figure {
  label: string;
  value: number;
  /** e.g. `ms`, `MB/s`. */
  unit: string;
}

/** A workload that measures itself inside the harness process and returns figures. */
export interface InProcessWorkload<S> {
  kind: 'in-process';
  name: string;
  description: string;
  setup?(ctx: BenchContext): Promise<S>;
  /** One iteration; called warm-up + runs times. The harness reports median/min/max per label. */
  measure(ctx: BenchContext, state: S): Promise<Figure[]>;
  teardown?(ctx: BenchContext, state: S): Promise<void>;
}

/** The registry's element type: the state type is erased once a workload is defined. */
export type Workload = ProcessWorkload<unknown> | InProcessWorkload<unknown>;

/** Type-checks a process workload against its own state type, then erases it for the registry. */
export function defineProcessWorkload<S>(workload: ProcessWorkload<S>): Workload {
  return workload as unknown as ProcessWorkload<unknown>;
}

/** Type-checks an in-process workload against its own state type, then erases it. */
export function defineInProcessWorkload<S>(workload: InProcessWorkload<S>): Workload {
  return workload as unknown as InProcessWorkload<unknown>;
}
