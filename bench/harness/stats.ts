// Summary statistics for repeated measurements. Machines here are noisy: report the median and
// the spread, and compare by ratio of medians.

export interface Summary {
  median: number;
  min: number;
  max: number;
  count: number;
}

/** Median, min and max of a non-empty sample (the median of an even count is the mean of the middle two). */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summarize: empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, count: sorted.length };
}

/**
 * hoist / peer. Below 1 means hoist is faster (or smaller). Undefined when either side is
 * missing or the peer's figure is zero, so that no ratio is ever invented.
 */
export function ratio(hoist: number | undefined, peer: number | undefined): number | undefined {
  if (hoist === undefined || peer === undefined || peer === 0) return undefined;
  return hoist / peer;
}
