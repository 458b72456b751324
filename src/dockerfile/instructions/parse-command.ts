import { FrontendFailure } from '../errors';
import { goQuote } from '../text';
import { baseOf, errAtLeastOneArgument, errNotJSON, handleJSONArgs, type ParseRequest } from './common';
import { parseFlags } from './flags';
import type { CmdInstruction, EntrypointInstruction, HealthcheckInstruction, RunInstruction, ShellInstruction } from './instruction';
import { mountFromUsesVariable, parseDevice, parseMount } from './mount';
import type { CommandLine, HealthConfig } from './types';
import { parseDuration } from './values';

const invalid = (msg: string, hint?: string): FrontendFailure => new FrontendFailure('DOCKERFILE_FLAG_INVALID', msg, hint);

function commandLine(req: ParseRequest, emptyAsNil: boolean): CommandLine {
  const cmdLine = handleJSONArgs(req.args, req.json);
  return {
    cmdLine: emptyAsNil && cmdLine.length === 0 ? [] : cmdLine,
    prependShell: !req.json,
    files: req.node.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp })),
  };
}

export function parseRun(req: ParseRequest): RunInstruction {
  const f = parseFlags(req.node.flags, { device: 'strings', mount: 'strings', network: 'string', security: 'string' });
  const mountSpecs = f.strings('mount');
  for (const spec of mountSpecs) {
    if (mountFromUsesVariable(spec)) throw invalid("'from' doesn't support variable expansion, define alias stage instead");
  }
  const network = f.string('network') ?? 'default';
  if (!['default', 'none', 'host'].includes(network)) throw invalid(`invalid network mode ${goQuote(network)}`, 'use default, none or host');
  const security = f.string('security') ?? 'sandbox';
  if (!['sandbox', 'insecure'].includes(security)) throw invalid(`security ${goQuote(security)} is not valid`, 'use sandbox or insecure');
  return {
    kind: 'RUN',
    ...baseOf(req, f.used),
    ...commandLine(req, false),
    mountSpecs,
    mounts: mountSpecs.map((s) => (s.includes('$') ? undefined : parseMount(s))),
    network: network as RunInstruction['network'],
    security: security as RunInstruction['security'],
    devices: f.strings('device').map(parseDevice),
  };
}

export function parseCmd(req: ParseRequest): CmdInstruction {
  const f = parseFlags(req.node.flags, {});
  return { kind: 'CMD', ...baseOf(req, f.used), ...commandLine(req, false) };
}

export function parseEntrypoint(req: ParseRequest): EntrypointInstruction {
  const f = parseFlags(req.node.flags, {});
  return { kind: 'ENTRYPOINT', ...baseOf(req, f.used), ...commandLine(req, true) };
}

export function parseShell(req: ParseRequest): ShellInstruction {
  const f = parseFlags(req.node.flags, {});
  const shell = handleJSONArgs(req.args, req.json);
  if (shell.length === 0) throw errAtLeastOneArgument('SHELL');
  if (!req.json) throw errNotJSON('SHELL');
  return { kind: 'SHELL', ...baseOf(req, f.used), shell };
}

function interval(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  const ns = parseDuration(value);
  if (ns === 0) return 0;
  if (ns < 1e6) throw invalid(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return ns;
}

export function parseHealthcheck(req: ParseRequest): HealthcheckInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  const typ = req.args[0]!.toUpperCase();
  const rest = req.args.slice(1);
  const health: HealthConfig = { test: [], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (typ === 'NONE') {
    if (rest.length !== 0) throw new FrontendFailure('DOCKERFILE_ARGUMENTS', 'HEALTHCHECK NONE takes no arguments');
    health.test = ['NONE'];
    return { kind: 'HEALTHCHECK', ...baseOf(req), health };
  }
  const f = parseFlags(req.node.flags, { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' });
  if (typ !== 'CMD') throw new FrontendFailure('DOCKERFILE_ARGUMENTS', `Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = handleJSONArgs(rest, req.json);
  if (cmd.length === 0) throw new FrontendFailure('DOCKERFILE_ARGUMENTS', 'Missing command after HEALTHCHECK CMD');
  health.test = [req.json ? 'CMD' : 'CMD-SHELL', ...cmd];
  health.interval = interval(f.string('interval'), 'interval');
  health.timeout = interval(f.string('timeout'), 'timeout');
  health.startPeriod = interval(f.string('start-period'), 'start-period');
  health.startInterval = interval(f.string('start-interval'), 'start-interval');
  const retries = f.string('retries');
  if (retries !== undefined && retries !== '') {
    if (!/^[+-]?[0-9]+$/.test(retries) || Math.abs(Number(retries)) > 2 ** 31) {
      throw invalid(`strconv.ParseInt: parsing ${goQuote(retries)}: invalid syntax`);
    }
    const n = Number(retries);
    if (n < 0) throw invalid(`--retries cannot be negative (${n})`);
    health.retries = n;
  }
  return { kind: 'HEALTHCHECK', ...baseOf(req, f.used), health };
}
