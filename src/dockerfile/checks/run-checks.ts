import { hostPlatform, parsePlatform, parseReference, formatPlatform, type Platform } from '../../oci';
import { DockerfileError } from '../../errors';
import { withSource } from '../errors';
import type { ParsedDockerfile } from '../parse-dockerfile';
import { defaultPlatformArgs, resolveGlobalArgs } from '../instructions/args';
import { envFrom } from '../shell/env';
import { expandWord } from '../shell/expand';
import { suggest } from '../suggest';
import { DEFAULT_PATH, type CheckOptions, type CheckResult, type StageState } from './context';
import { DEFAULT_CHECK_CONFIG, Linter, parseCheckOptions, type CheckWarning } from './linter';
import { MESSAGES } from './rules';
import { checkInstruction } from './stage-checks';

const RESERVED = new Set(['context', 'scratch']);
const selfConsistent = (s: string): boolean => s === s.toLowerCase() || s === s.toUpperCase();
const at = (r: { range: { start: { line: number }; end: { line: number } } }) => ({ line: r.range.start.line, endLine: r.range.end.line });

function tryExpand(word: string, env: Map<string, string>): ReturnType<typeof expandWord> | undefined {
  try {
    return expandWord(word, envFrom(env));
  } catch {
    return undefined;
  }
}

function definitionDescription(lint: Linter, what: string, keys: string[], comments: string[], loc: { line: number; endLine: number }): void {
  if (comments.length === 0 || keys.length === 0) return;
  const first = comments[comments.length - 1]!.split(' ')[0]!;
  if (keys.includes(first)) return;
  lint.run('InvalidDefinitionDescription', loc, MESSAGES.InvalidDefinitionDescription(what, keys.length > 1 ? '<arg_key>' : keys[0]!));
}

/**
 * Run BuildKit's build checks over a parsed Dockerfile, in the order BuildKit
 * raises them, honouring `# check=skip=...;experimental=...;error=true`.
 */
export function checkDockerfile(df: ParsedDockerfile, opts: CheckOptions = {}): CheckResult {
  let config = DEFAULT_CHECK_CONFIG;
  if (df.directives.check) {
    try {
      config = parseCheckOptions(df.directives.check.value.split(' ')[0]!);
    } catch (err) {
      throw withSource(err, { file: df.file, lines: df.lines }, { line: df.directives.check.line });
    }
  }
  const warnings: CheckWarning[] = [];
  const root = new Linter(config, warnings);
  for (const w of df.warnings) root.run('NoEmptyContinuation', { line: w.line }, MESSAGES.NoEmptyContinuation());

  // instructions.Parse: MAINTAINER, FROM casing, definition descriptions
  for (const stage of df.stages) {
    const f = stage.from;
    const lint = root.withComments(f.comments);
    if (f.stageNameAsWritten && f.stageNameAsWritten !== f.stageNameAsWritten.toLowerCase()) lint.run('StageNameCasing', at(f), MESSAGES.StageNameCasing(f.stageNameAsWritten));
    if (f.asKeyword && selfConsistent(f.name)) {
      const want = f.name === f.name.toLowerCase() ? f.asKeyword.toLowerCase() : f.asKeyword.toUpperCase();
      if (f.asKeyword !== want) lint.run('FromAsCasing', at(f), MESSAGES.FromAsCasing(f.name, f.asKeyword));
    }
    if (f.stageName) definitionDescription(lint, 'FROM', [f.stageName], f.comments, at(f));
    for (const ins of stage.instructions) {
      const l = root.withComments(ins.comments);
      if (ins.kind === 'MAINTAINER') l.run('MaintainerDeprecated', at(ins), MESSAGES.MaintainerDeprecated());
      if (ins.kind === 'ARG') definitionDescription(l, 'ARG', ins.args.map((a) => a.key), ins.comments, at(ins));
    }
  }
  for (const ins of df.globalArgs) definitionDescription(root.withComments(ins.comments), 'ARG', ins.args.map((a) => a.key), ins.comments, at(ins));

  // validateStageNames, validateCommandCasing
  const seen = new Set<string>();
  for (const s of df.stages) {
    if (!s.name) continue;
    if (RESERVED.has(s.name)) root.run('ReservedStageName', at(s.from), MESSAGES.ReservedStageName(s.name));
    if (seen.has(s.name)) root.run('DuplicateStageName', at(s.from), MESSAGES.DuplicateStageName(s.name));
    seen.add(s.name);
  }
  const all = df.stages.flatMap((s) => [s.from, ...s.instructions]);
  const counted = all.filter((i) => selfConsistent(i.name));
  const lower = counted.filter((i) => i.name === i.name.toLowerCase()).length;
  const majorityLower = lower > counted.length - lower;
  for (const i of all) {
    const casing = majorityLower ? (i.name !== i.name.toLowerCase() ? 'lowercase' : '') : i.name !== i.name.toUpperCase() ? 'uppercase' : '';
    if (casing) root.run('ConsistentInstructionCasing', at(i), MESSAGES.ConsistentInstructionCasing(i.name, casing));
  }

  // global ARGs: with defaults only, then with the build args
  const buildPlatform = opts.buildPlatform ?? hostPlatform();
  const targetPlatform = opts.targetPlatform ?? buildPlatform;
  const target = opts.target ?? df.stages[df.stages.length - 1]?.name;
  const defaults = defaultPlatformArgs({ buildPlatform, targetPlatform, ...(target ? { target } : {}), overrides: opts.buildArgs ?? {} });
  let globals: Map<string, string>;
  try {
    const withDefaults = resolveGlobalArgs(df.globalArgs, {}, defaults);
    for (const s of df.stages) {
      const r = tryExpand(s.from.baseName, withDefaults);
      if (!r) break;
      let valid = r.result !== '';
      try {
        if (valid) parseReference(r.result);
      } catch {
        valid = false;
      }
      if (!valid) root.run('InvalidDefaultArgInFrom', at(s.from), MESSAGES.InvalidDefaultArgInFrom(s.from.baseName));
    }
    globals = resolveGlobalArgs(df.globalArgs, opts.buildArgs ?? {}, defaults);
  } catch {
    globals = new Map(defaults);
  }
  const argKeys = new Set([...df.globalArgs.flatMap((a) => a.args.map((x) => x.key)), ...globals.keys()]);

  const states = new Map<string, StageState>();
  for (const s of df.stages) {
    const f = s.from;
    const lint = root.withComments(f.comments);
    const undefinedInFrom = (unmatched: string[]): void => {
      for (const u of unmatched) if (!argKeys.has(u)) lint.run('UndefinedArgInFrom', at(f), MESSAGES.UndefinedArgInFrom(u, suggest(u, argKeys)));
    };
    const name = tryExpand(f.baseName, globals);
    undefinedInFrom(name?.unmatched ?? []);
    let platform = targetPlatform;
    if (f.platform) {
      const p = tryExpand(f.platform, globals);
      if (p) {
        undefinedInFrom(p.unmatched);
        if (p.matched.length === 1 && p.matched[0] === 'TARGETPLATFORM' && p.unmatched.length === 0 && p.result === globals.get('TARGETPLATFORM')) {
          lint.run('RedundantTargetPlatform', at(f), MESSAGES.RedundantTargetPlatform(f.platform));
        }
        let parsed: Platform | undefined;
        try {
          parsed = parsePlatform(p.result);
        } catch {
          parsed = undefined;
        }
        if (parsed) platform = parsed;
        const stageName = s.name ?? '';
        if (parsed && p.matched.length === 0 && p.unmatched.length === 0 && !stageName.includes(parsed.os) && !stageName.includes(parsed.architecture)) {
          lint.run('FromPlatformFlagConstDisallowed', at(f), MESSAGES.FromPlatformFlagConstDisallowed(p.result));
        }
      }
    }
    const baseName = name?.result ?? f.baseName;
    const parent = states.get(baseName.toLowerCase());
    const info = parent || baseName === 'scratch' ? undefined : opts.baseImage?.(baseName, platform);
    if (info?.platform && (info.platform.os !== platform.os || info.platform.architecture !== platform.architecture)) {
      lint.run('InvalidBaseImagePlatform', at(f), MESSAGES.InvalidBaseImagePlatform(baseName, formatPlatform(platform), formatPlatform(info.platform)));
    }
    const st: StageState = parent
      ? { ...parent, env: new Map(parent.env), buildArgs: [], lint }
      : {
          env: new Map((info?.env ?? []).map((kv) => (kv.includes('=') ? [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] : [kv, '']))),
          globals,
          buildArgs: [],
          shellSet: (info?.shell?.length ?? 0) > 0,
          workdirSet: false,
          envKnown: parent !== undefined || baseName === 'scratch' || info?.env !== undefined,
          lint,
        };
    if (!st.env.has('PATH')) st.env.set('PATH', DEFAULT_PATH);
    const trackers = new Map<string, { line: number; endLine: number }>();
    for (const ins of s.instructions) checkInstruction(st, ins, opts, trackers);
    if (s.name) states.set(s.name, st);
    states.set(String(s.index), st);
  }
  return { warnings, failed: config.error && warnings.length > 0 };
}

/** The error `# check=error=true` turns violations into. */
export function checkFailure(result: CheckResult, file: string): DockerfileError {
  const rules = [...new Set(result.warnings.map((w) => w.rule))];
  return new DockerfileError('DOCKERFILE_CHECK_FAILED', `lint violation found for rules: ${rules.join(', ')}`, { file, rules });
}
