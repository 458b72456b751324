import type { Instruction } from '../instructions/instruction';
import { expandInstruction } from '../instructions/expand-instruction';
import { NON_ENV_ARGS } from '../instructions/args';
import { envFrom } from '../shell/env';
import { expandWord } from '../shell/expand';
import { suggest } from '../suggest';
import { cleanPath } from '../ignore/clean-path';
import type { CheckOptions, StageState } from './context';
import { MESSAGES } from './rules';
import type { Linter } from './linter';

const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const SECRET_ALLOW = /(?:_|^)(?:public|file|version)(?:_|$)/i;

function secretKey(lint: Linter, ins: Instruction, kind: 'ARG' | 'ENV', key: string): void {
  if (SECRET.test(key) && !SECRET_ALLOW.test(key)) lint.run('SecretsUsedInArgOrEnv', at(ins), MESSAGES.SecretsUsedInArgOrEnv(kind, key));
}

const at = (ins: { range: { start: { line: number }; end: { line: number } } }) => ({ line: ins.range.start.line, endLine: ins.range.end.line });

function reportUnmatched(st: StageState, lint: Linter, ins: Instruction, unmatched: readonly string[]): void {
  if (!st.envKnown) return;
  for (const name of unmatched) {
    if (st.buildArgs.includes(name) || (NON_ENV_ARGS as readonly string[]).includes(name)) continue;
    lint.run('UndefinedVar', at(ins), MESSAGES.UndefinedVar(name, suggest(name, st.env.keys())));
  }
}

function exposeParts(raw: string): { ip: string; hostPort: string; proto: string } {
  const parts = raw.split(':');
  const n = parts.length;
  const container = parts[n - 1]!;
  const ip = n <= 2 ? '' : parts.slice(0, n - 2).join(':');
  const hostPort = n === 1 ? '' : parts[n - 2]!;
  const pp = container.split('/');
  const proto = pp.length === 1 || pp[1] === '' ? 'tcp' : pp[1]!;
  return { ip, hostPort, proto };
}

const ROOT_PATTERNS = new Set(['*', '**', '**/*']);

/** The checks BuildKit runs while dispatching one instruction of a stage. */
export function checkInstruction(st: StageState, ins: Instruction, opts: CheckOptions, trackers: Map<string, { line: number; endLine: number }>): void {
  const lint = st.lint.withComments(ins.comments);
  const env = envFrom(st.env);
  let expanded: Instruction = ins;
  if (ins.kind !== 'ARG') {
    try {
      const r = expandInstruction(ins, env);
      expanded = r.instruction;
      reportUnmatched(st, lint, ins, r.unmatched);
    } catch {
      // the build itself reports expansion errors; checks go on
    }
  }
  switch (expanded.kind) {
    case 'ENV':
      for (const kv of expanded.env) {
        if (kv.noDelim) lint.run('LegacyKeyValueFormat', at(ins), MESSAGES.LegacyKeyValueFormat(ins.name));
        secretKey(lint, ins, 'ENV', kv.key);
        st.env.set(kv.key, kv.value);
      }
      break;
    case 'LABEL':
      for (const kv of expanded.labels) if (kv.noDelim) lint.run('LegacyKeyValueFormat', at(ins), MESSAGES.LegacyKeyValueFormat(ins.name));
      break;
    case 'ARG':
      for (const a of expanded.args) {
        secretKey(lint, ins, 'ARG', a.key);
        let value: string | undefined;
        if (opts.buildArgs && Object.hasOwn(opts.buildArgs, a.key)) value = opts.buildArgs[a.key];
        else if (a.value !== undefined) {
          try {
            const r = expandWord(a.value, envFrom(st.env));
            reportUnmatched(st, lint, ins, r.unmatched);
            value = r.result;
          } catch {
            value = a.value;
          }
        } else value = st.globals.get(a.key);
        if (value !== undefined && !(NON_ENV_ARGS as readonly string[]).includes(a.key)) st.env.set(a.key, value);
        st.buildArgs.push(a.key);
      }
      break;
    case 'WORKDIR':
      if (!st.workdirSet && !expanded.path.startsWith('/')) lint.run('WorkdirRelativePath', at(ins), MESSAGES.WorkdirRelativePath(expanded.path));
      st.workdirSet = true;
      break;
    case 'CMD':
    case 'ENTRYPOINT':
    case 'HEALTHCHECK': {
      const prev = trackers.get(expanded.kind);
      if (prev) lint.run('MultipleInstructionsDisallowed', prev, MESSAGES.MultipleInstructionsDisallowed(ins.name));
      trackers.set(expanded.kind, at(ins));
      if (expanded.kind !== 'HEALTHCHECK' && expanded.prependShell && !st.shellSet) {
        lint.run('JSONArgsRecommended', at(ins), MESSAGES.JSONArgsRecommended(ins.name));
      }
      break;
    }
    case 'SHELL':
      st.shellSet = true;
      break;
    case 'EXPOSE':
      for (const p of expanded.ports) {
        const { ip, hostPort, proto } = exposeParts(p);
        if (proto !== proto.toLowerCase()) lint.run('ExposeProtoCasing', at(ins), MESSAGES.ExposeProtoCasing(p));
        if (ip !== '' || hostPort !== '') lint.run('ExposeInvalidFormat', at(ins), MESSAGES.ExposeInvalidFormat(p));
      }
      break;
    case 'COPY':
    case 'ADD': {
      const m = opts.ignoreMatcher;
      if (!m || m.hasExclusions || (expanded.kind === 'COPY' && expanded.from !== undefined)) break;
      expanded.sources.forEach((src, i) => {
        if (expanded.sourceKinds[i] !== 'context') return;
        const clean = cleanPath(src);
        if ((clean === '.' || clean === '/') && !m.patterns.some((p) => !p.exclusion && ROOT_PATTERNS.has(p.cleaned))) return;
        if (m.matches(clean)) lint.run('CopyIgnoredFile', at(ins), MESSAGES.CopyIgnoredFile(expanded.kind === 'ADD' ? 'Add' : 'Copy', clean));
      });
      break;
    }
    default:
      break;
  }
}
