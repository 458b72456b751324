// The loop of an in-process workload: it measures itself and returns figures; the harness
// repeats it (warm-ups first, not recorded) and summarises each figure by label.
import type { FigureResult, InProcessWorkloadResult } from './results';
import { summarize } from './stats';
import type { BenchContext, InProcessWorkload } from './types';

export async function runInProcessWorkload(
  workload: InProcessWorkload<unknown>,
  ctx: BenchContext,
  opts: { runs: number; warmup: number },
): Promise<InProcessWorkloadResult> {
  const result: InProcessWorkloadResult = { kind: 'in-process', name: workload.name, description: workload.description, figures: [] };
  const byLabel = new Map<string, { unit: string; values: number[] }>();
  let state: unknown;
  try {
    state = await workload.setup?.(ctx);
    for (let run = 1 - opts.warmup; run <= opts.runs; run++) {
      const figures = await workload.measure(ctx, state);
      if (run < 1) continue;
      for (const f of figures) {
        const entry = byLabel.get(f.label) ?? { unit: f.unit, values: [] };
        entry.values.push(f.value);
        byLabel.set(f.label, entry);
      }
    }
  } catch (err) {
    result.error = `failed: ${(err as Error).message ?? String(err)}`;
  }
  try {
    if (state !== undefined) await workload.teardown?.(ctx, state);
  } catch (err) {
    result.error = `teardown failed: ${(err as Error).message ?? String(err)}`;
  }
  if (result.error) return result;
  result.figures = [...byLabel].map(([label, { unit, values }]): FigureResult => ({ label, unit, values, summary: summarize(values) }));
  ctx.log(`${workload.name}: ${result.figures.map((f) => `${f.label} ${f.summary.median.toFixed(3)} ${f.unit}`).join(', ')}`);
  return result;
}
