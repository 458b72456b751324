// The markdown report: machine facts, tool versions, one table per process workload (hoist and
// its peers, ratios hoist/peer) and one table of in-process figures.
import type { BenchReport, CaseResult, InProcessWorkloadResult, ProcessWorkloadResult } from './results';
import { ratio, type Summary } from './stats';

const DASH = '—';

function seconds(v: number): string {
  return v < 1 ? v.toFixed(3) : v.toFixed(2);
}

function fixed(v: number | undefined, digits: number): string {
  return v === undefined ? DASH : v.toFixed(digits);
}

/** Peak RSS the peer needed for the job: its client plus its daemon, when it has one. */
function totalRssMiB(c: CaseResult): number | undefined {
  if (!c.peakRssMiB) return undefined;
  return c.peakRssMiB.median + (c.serviceRssMiB?.median ?? 0);
}

function rssCell(c: CaseResult): string {
  if (!c.peakRssMiB) return DASH;
  const own = c.peakRssMiB.median.toFixed(0);
  return c.serviceRssMiB ? `${own} + daemon ${c.serviceRssMiB.median.toFixed(0)}` : own;
}

function spread(s: Summary | undefined): [string, string, string] {
  return s ? [seconds(s.median), seconds(s.min), seconds(s.max)] : [DASH, DASH, DASH];
}

function processTable(w: ProcessWorkloadResult): string[] {
  const lines = [`### ${w.name}`, '', w.description, ''];
  if (w.error) lines.push(`**${w.error}**`, '');
  lines.push(
    '| case | status | median s | min s | max s | peak RSS MiB | time hoist/peer | RSS hoist/peer |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const c of w.cases) {
    const base = c.compareTo === undefined ? undefined : w.cases.find((x) => x.label === c.compareTo);
    const timeRatio = base ? fixed(ratio(base.seconds?.median, c.seconds?.median), 2) : DASH;
    const rssRatio = base ? fixed(ratio(totalRssMiB(base), totalRssMiB(c)), 2) : DASH;
    lines.push(`| ${c.label} | ${c.status} | ${spread(c.seconds).join(' | ')} | ${rssCell(c)} | ${timeRatio} | ${rssRatio} |`);
  }
  lines.push('');
  return lines;
}

function figureTable(workloads: InProcessWorkloadResult[]): string[] {
  const lines = ['## In-process figures', '', '| workload | figure | median | min | max | unit |', '|---|---|---:|---:|---:|---|'];
  for (const w of workloads) {
    if (w.error) lines.push(`| ${w.name} | **${w.error}** | ${DASH} | ${DASH} | ${DASH} | |`);
    for (const f of w.figures) {
      const s = f.summary;
      lines.push(`| ${w.name} | ${f.label} | ${s.median.toFixed(3)} | ${s.min.toFixed(3)} | ${s.max.toFixed(3)} | ${f.unit} |`);
    }
  }
  lines.push('');
  return lines;
}

export function renderResults(report: BenchReport): string {
  const f = report.facts;
  const lines = [
    '# hoist benchmark results',
    '',
    `\`${report.command}\` on ${f.date}: ${report.warmup} warm-up + ${report.runs} measured runs per case,`,
    `cases alternating A B A B${report.quick ? ', **quick mode (small fixtures, not for comparison)**' : ''}.`,
    '',
    `Machine: ${f.cpus} × ${f.cpuModel}, ${f.memoryGiB} GiB, ${f.os}, kernel ${f.kernel}, node ${f.node}.`,
    `Time is wall clock around the child process; peak RSS is ${f.rssMethod === 'gnu-time' ? '`/usr/bin/time -f %M`' : 'polled VmHWM from /proc (no /usr/bin/time)'};`,
    'a daemon\'s peak (dockerd, sampled every 50 ms) is shown beside its client and counted in the RSS ratio.',
    'Ratios are hoist/peer of the medians: below 1 means hoist is faster (or smaller).',
    '',
    '| tool | status | version |',
    '|---|---|---|',
    ...report.tools.map((t) => `| ${t.name} | ${t.status} | ${t.version ?? DASH} |`),
    '',
  ];
  const processes = report.workloads.filter((w): w is ProcessWorkloadResult => w.kind === 'process');
  const inProcess = report.workloads.filter((w): w is InProcessWorkloadResult => w.kind === 'in-process');
  if (processes.length > 0) lines.push('## Commands', '', ...processes.flatMap(processTable));
  if (inProcess.length > 0) lines.push(...figureTable(inProcess));
  return lines.join('\n');
}
