// What a run of the harness produces: data first, rendered to markdown by render-results.ts.
import type { Measurement } from './measure-command';
import type { Summary } from './stats';

export interface CaseResult {
  label: string;
  tool: string;
  /** The hoist case this (peer) case is compared with. */
  compareTo?: string;
  /** `ok`, `not installed`, `not built`, `unavailable: ...` or `failed: ...`. */
  status: string;
  /** The measured runs (warm-ups left out). */
  runs: Measurement[];
  seconds?: Summary;
  peakRssMiB?: Summary;
  /** Peak RSS of the tool's daemon during the runs (dockerd), when it has one. */
  serviceRssMiB?: Summary;
}

export interface ProcessWorkloadResult {
  kind: 'process';
  name: string;
  description: string;
  cases: CaseResult[];
  /** setup or teardown failed. */
  error?: string;
}

export interface FigureResult {
  label: string;
  unit: string;
  values: number[];
  summary: Summary;
}

export interface InProcessWorkloadResult {
  kind: 'in-process';
  name: string;
  description: string;
  figures: FigureResult[];
  error?: string;
}

export type WorkloadResult = ProcessWorkloadResult | InProcessWorkloadResult;

export interface MachineFacts {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  rssMethod: string;
}

export interface ToolRow {
  name: string;
  status: string;
  version?: string;
}

export interface BenchReport {
  command: string;
  runs: number;
  warmup: number;
  quick: boolean;
  facts: MachineFacts;
  tools: ToolRow[];
  workloads: WorkloadResult[];
}
