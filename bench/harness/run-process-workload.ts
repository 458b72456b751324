// The measurement loop of a process workload: resolve each case's tool, prepare, then rounds of
// A B A B (warm-ups first, not recorded), each run wrapped in its unmeasured before/after hooks.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand } from './exec-command';
import { findExecutable } from './find-executable';
import { measureCommand } from './measure-command';
import type { CaseResult, ProcessWorkloadResult } from './results';
import { summarize } from './stats';
import type { Toolbox, ToolStatus } from './tools';
import type { BenchContext, ProcessCase, ProcessWorkload, RunContext } from './types';

export interface LoopOptions {
  runs: number;
  warmup: number;
  toolbox: Toolbox;
  /** Per-run limit; the command's process group is killed after it. */
  timeoutMs?: number;
  /** Stops the loop before the next run (Ctrl-C). */
  signal?: AbortSignal;
}

interface Active {
  spec: ProcessCase<unknown>;
  result: CaseResult;
  tool: ToolStatus;
  scratch: string;
  logFile: string;
}

const MiB = 1024;
const SYNC = findExecutable('sync');
const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err)).split('\n').filter(Boolean).slice(0, 3).join(' | ');

function defaultCompareTo(workload: ProcessWorkload<unknown>, c: ProcessCase<unknown>): string | undefined {
  if (c.tool === 'hoist') return c.compareTo; // a hoist case compared with another hoist case (build-rss)
  return c.compareTo ?? workload.cases.find((x) => x.tool === 'hoist')?.label;
}

export async function runProcessWorkload(workload: ProcessWorkload<unknown>, ctx: BenchContext, opts: LoopOptions): Promise<ProcessWorkloadResult> {
  const result: ProcessWorkloadResult = { kind: 'process', name: workload.name, description: workload.description, cases: [] };
  const tools = new Map<string, ToolStatus>();
  for (const name of new Set(workload.cases.flatMap((c) => [c.tool, ...(c.needs ?? [])]))) {
    tools.set(name, await opts.toolbox.resolve(name));
  }
  const statusOf = (c: ProcessCase<unknown>): string => {
    const own = tools.get(c.tool)!.status;
    if (own !== 'ok') return own;
    const missing = (c.needs ?? []).filter((n) => tools.get(n)!.status !== 'ok');
    return missing.length === 0 ? 'ok' : `unavailable: needs ${missing.map((n) => `${n} (${tools.get(n)!.status})`).join(', ')}`;
  };
  const blank = (c: ProcessCase<unknown>, status: string): CaseResult => ({ label: c.label, tool: c.tool, compareTo: defaultCompareTo(workload, c), status, runs: [] });
  if (workload.cases.every((c) => statusOf(c) !== 'ok')) {
    result.cases = workload.cases.map((c) => blank(c, statusOf(c)));
    return result; // nothing to measure: do not build the fixture
  }

  let state: unknown;
  try {
    state = await workload.setup(ctx);
  } catch (err) {
    result.error = `setup failed: ${message(err)}`;
    result.cases = workload.cases.map((c) => blank(c, 'not run'));
    return result;
  }
  const runContext = (a: Active, run: number): RunContext<unknown> => ({
    ...ctx,
    state,
    scratch: a.scratch,
    run,
    tool: (name) => {
      const t = name === a.spec.tool || a.spec.needs?.includes(name) ? tools.get(name) : undefined;
      if (!t || t.status !== 'ok') throw new Error(`case ${a.spec.label} uses ${name}: add it to the case's tool or needs`);
      return [...t.argv];
    },
    exec: (spec) => execCommand(spec),
  });

  const active: Active[] = [];
  for (const spec of workload.cases) {
    const tool = tools.get(spec.tool)!;
    const caseResult = blank(spec, statusOf(spec));
    result.cases.push(caseResult);
    if (caseResult.status !== 'ok') continue;
    const dir = join(ctx.workDir, 'runs', workload.name, slug(spec.label));
    const a: Active = { spec, result: caseResult, tool, scratch: join(dir, 'scratch'), logFile: join(dir, 'output.log') };
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(a.scratch, { recursive: true });
    writeFileSync(a.logFile, '');
    try {
      await spec.prepare?.(runContext(a, 0));
      active.push(a);
    } catch (err) {
      caseResult.status = `failed: prepare: ${message(err)}`;
    }
  }

  for (let run = 1 - opts.warmup; run <= opts.runs; run++) {
    for (const a of active) {
      if (opts.signal?.aborted) a.result.status = 'interrupted';
      if (a.result.status !== 'ok') continue;
      const rc = runContext(a, run);
      try {
        await a.spec.before?.(rc);
        // flush dirty pages, so that no run pays for the writeback of the one before it
        if (SYNC) await execCommand({ argv: [SYNC] });
        const m = await measureCommand(a.spec.command(rc), { logFile: a.logFile, servicePids: a.tool.servicePids, timeoutMs: opts.timeoutMs });
        await a.spec.after?.(rc);
        if (run >= 1) a.result.runs.push(m);
        const tag = run >= 1 ? `run ${run}/${opts.runs}` : 'warm-up';
        ctx.log(`${workload.name}: ${a.spec.label} ${tag}: ${m.seconds.toFixed(2)} s, ${(m.peakRssKiB / MiB).toFixed(0)} MiB`);
      } catch (err) {
        a.result.status = `failed: ${message(err)} (log: ${a.logFile})`;
        ctx.log(`${workload.name}: ${a.spec.label} failed: ${message(err)}`);
      }
    }
  }

  for (const a of active) {
    try {
      await a.spec.cleanup?.(runContext(a, 0));
    } catch (err) {
      ctx.log(`${workload.name}: ${a.spec.label} cleanup failed: ${message(err)}`);
    }
    rmSync(a.scratch, { recursive: true, force: true });
    const r = a.result;
    if (r.status !== 'ok' || r.runs.length === 0) continue;
    r.seconds = summarize(r.runs.map((m) => m.seconds));
    r.peakRssMiB = summarize(r.runs.map((m) => m.peakRssKiB / MiB));
    const service = r.runs.map((m) => m.serviceRssKiB).filter((v): v is number => v !== undefined);
    if (service.length > 0) r.serviceRssMiB = summarize(service.map((v) => v / MiB));
  }
  try {
    await workload.teardown?.(ctx, state);
  } catch (err) {
    result.error = `teardown failed: ${message(err)}`;
  }
  return result;
}
