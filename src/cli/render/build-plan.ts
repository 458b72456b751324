import type { BuildPlanReport, PlannedSource, PlannedStageReport, PlannedStep } from '../../build';

function source(s: PlannedSource | undefined, stages: readonly PlannedStageReport[]): string {
  if (s === undefined) return 'context';
  if (s.kind === 'stage') return `stage ${stages[s.stage]?.name ?? s.stage}`;
  if (s.kind === 'image') return s.ref;
  return s.kind;
}

/** The flags of a step worth a line of their own: mounts, network, security, COPY/ADD options. */
function details(step: PlannedStep, stages: readonly PlannedStageReport[]): string[] {
  const r = step.resolved;
  const out: string[] = [];
  for (const m of (r.mounts as Record<string, unknown>[] | undefined) ?? []) {
    const extra = ['id', 'sharing', 'source', 'required', 'env', 'size', 'mode', 'uid', 'gid'].filter((k) => m[k] !== undefined && m[k] !== false).map((k) => `${k}=${String(m[k])}`);
    const from = m.from !== undefined ? ` from ${source(m.from as PlannedSource, stages)}` : '';
    out.push(`mount ${String(m.type)} ${String(m.target)}${from}${m.readOnly ? ' ro' : ''}${extra.length > 0 ? ` ${extra.join(' ')}` : ''}`);
  }
  if (r.network !== undefined && r.network !== 'default') out.push(`network ${String(r.network)}`);
  if (r.security === 'insecure') out.push('security insecure (needs --allow security.insecure)');
  for (const h of (r.heredocs as { name: string; interpreter?: string }[] | undefined) ?? []) out.push(`heredoc ${h.name}${h.interpreter ? ` run by ${h.interpreter}` : ''}`);
  if (step.kind === 'COPY' || step.kind === 'ADD') {
    const flags = ['chown', 'chmod', 'checksum', 'keepGitDir', 'unpack', 'excludes'].filter((k) => r[k] !== undefined).map((k) => `${k}=${JSON.stringify(r[k])}`);
    if (r.link) flags.push('link');
    if (r.parents) flags.push('parents');
    const kinds = [...new Set(((r.sources as { kind: string }[] | undefined) ?? []).map((s) => s.kind))];
    out.push(`to ${String(r.dest)} from ${r.from !== undefined ? source(r.from as PlannedSource, stages) : kinds.join('+') || 'heredoc'}${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`);
  }
  return out;
}

function baseText(st: PlannedStageReport, stages: readonly PlannedStageReport[]): string {
  const b = st.base;
  if (b.kind === 'scratch') return 'scratch';
  if (b.kind === 'stage') return `stage ${stages[b.stage]?.name ?? b.stage}`;
  return `${b.ref}${b.configKnown ? '' : ' (config not in the store: planned without it)'}`;
}

/** `hoist build --dry-run`'s text: each stage, its steps (layer steps marked), then what the build needs. */
export function renderBuildPlan(plan: BuildPlanReport): string {
  const lines: string[] = [];
  const target = plan.stages[plan.target];
  lines.push(`${plan.file}: ${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'}, target ${target?.name ?? plan.target}, build order ${plan.order.map((i) => plan.stages[i]?.name ?? i).join(' -> ')}`);
  for (const st of plan.stages) {
    lines.push('');
    lines.push(`stage ${st.index}${st.name ? ` (${st.name})` : ''} [${st.platform}] FROM ${baseText(st, plan.stages)}${st.built ? '' : ' — not built (the target does not need it)'}`);
    for (const step of st.steps) {
      lines.push(`  ${String(step.line).padStart(4)} ${step.layer ? '+' : ' '} ${step.trigger ? '(trigger) ' : ''}${step.text}`);
      for (const d of details(step, plan.stages)) lines.push(`              ${d}`);
    }
    for (const p of st.problems) lines.push(`  problem: ${p.split('\n')[0]}`);
  }
  lines.push('');
  if (plan.secrets.length > 0) lines.push(`secrets: ${plan.secrets.map((s) => `${s.id}${s.required ? ' (required)' : ''}`).join(', ')}`);
  if (plan.ssh.length > 0) lines.push(`ssh: ${plan.ssh.map((s) => `${s.id}${s.required ? ' (required)' : ''}`).join(', ')}`);
  if (plan.entitlements.length > 0) lines.push(`entitlements: ${plan.entitlements.join(', ')}`);
  if (plan.sourceDateEpoch !== undefined) lines.push(`SOURCE_DATE_EPOCH: ${plan.sourceDateEpoch} (${new Date(plan.sourceDateEpoch * 1000).toISOString()})`);
  if (plan.unknownBases.length > 0) lines.push(`planned without their config (not in the store): ${plan.unknownBases.join(', ')}`);
  lines.push('(+ marks a step that makes a layer)');
  return `${lines.join('\n')}\n`;
}
