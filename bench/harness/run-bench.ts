// Selects workloads, runs them one after the other, and assembles the report. The caller
// (bench/run.ts, or a test) chooses the workloads, the tools and where the report goes.
import { mkdirSync } from 'node:fs';
import { machineFacts } from './machine-facts';
import type { BenchReport, WorkloadResult } from './results';
import { runInProcessWorkload } from './run-in-process-workload';
import { runProcessWorkload } from './run-process-workload';
import { Toolbox, type ToolSpec } from './tools';
import type { BenchContext, Workload } from './types';

export interface BenchOptions {
  /** Workload names to run; empty means all. */
  names: readonly string[];
  runs: number;
  warmup: number;
  quick: boolean;
  workloads: readonly Workload[];
  repoRoot: string;
  workDir: string;
  log(message: string): void;
  /** Replaces the peer table (tests). */
  toolSpecs?: readonly ToolSpec[];
  /** The command line, for the report. */
  command?: string;
  /** Per-run limit for a process case (default 30 minutes). */
  timeoutMs?: number;
  /** Ends the run before the next case run; daemons are still stopped. */
  signal?: AbortSignal;
}

/** The workloads named, in the registry's order; throws on an unknown name. */
export function selectWorkloads(all: readonly Workload[], names: readonly string[]): Workload[] {
  const unknown = names.filter((n) => !all.some((w) => w.name === n));
  if (unknown.length > 0) {
    throw new Error(`unknown workload ${unknown.join(', ')}; known: ${all.map((w) => w.name).join(', ')}`);
  }
  return names.length === 0 ? [...all] : all.filter((w) => names.includes(w.name));
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const selected = selectWorkloads(opts.workloads, opts.names);
  mkdirSync(opts.workDir, { recursive: true });
  const ctx: BenchContext = { workDir: opts.workDir, repoRoot: opts.repoRoot, quick: opts.quick, log: opts.log };
  const toolbox = new Toolbox({ repoRoot: opts.repoRoot, workDir: opts.workDir, log: opts.log, specs: opts.toolSpecs });
  const facts = machineFacts();
  const results: WorkloadResult[] = [];
  try {
    for (const w of selected) {
      if (opts.signal?.aborted) break;
      opts.log(`== ${w.name}: ${w.description}`);
      const loop = { runs: opts.runs, warmup: opts.warmup };
      results.push(w.kind === 'process'
        ? await runProcessWorkload(w, ctx, { ...loop, toolbox, timeoutMs: opts.timeoutMs ?? 30 * 60_000, signal: opts.signal })
        : await runInProcessWorkload(w, ctx, loop));
    }
    const tools = (await toolbox.describe()).map(({ name, status, version }) => ({ name, status, version }));
    return {
      command: opts.command ?? `npm run bench -- ${opts.names.join(' ')}`.trim(),
      runs: opts.runs,
      warmup: opts.warmup,
      quick: opts.quick,
      facts,
      tools,
      workloads: results,
    };
  } finally {
    await toolbox.stop();
  }
}
