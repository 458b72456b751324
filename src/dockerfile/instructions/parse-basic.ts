import { FrontendFailure } from '../errors';
import { goQuote } from '../text';
import { baseOf, docComment, errAtLeastOneArgument, errBlankNames, errExactlyOneArgument, type ParseRequest } from './common';
import { parseFlags } from './flags';
import type {
  ArgInstruction,
  EnvInstruction,
  ExposeInstruction,
  FromInstruction,
  LabelInstruction,
  MaintainerInstruction,
  StopSignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from './instruction';
import type { KeyValuePair } from './types';

function keyValues(args: string[], cmd: string): KeyValuePair[] {
  if (args.length === 0) throw errAtLeastOneArgument(cmd);
  if (args.length % 3 !== 0) throw new FrontendFailure('DOCKERFILE_ARGUMENTS', `Bad input to ${cmd}, too many arguments`);
  const out: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') throw errBlankNames(cmd);
    out.push({ key: args[i]!, value: args[i + 1]!, noDelim: args[i + 2] === '' });
  }
  return out;
}

export function parseEnv(req: ParseRequest): EnvInstruction {
  const f = parseFlags(req.node.flags, {});
  return { kind: 'ENV', ...baseOf(req, f.used), env: keyValues(req.args, 'ENV') };
}

export function parseLabel(req: ParseRequest): LabelInstruction {
  const f = parseFlags(req.node.flags, {});
  return { kind: 'LABEL', ...baseOf(req, f.used), labels: keyValues(req.args, 'LABEL') };
}

/** ARG: BuildKit reads no flags here (they are ignored, not refused). */
export function parseArg(req: ParseRequest): ArgInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('ARG');
  const args = req.args.map((arg) => {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    if (eq === 0) throw errBlankNames('ARG');
    const doc = docComment(req.node.prevComment, key);
    return { key, ...(eq < 0 ? {} : { value: arg.slice(eq + 1) }), ...(doc !== undefined ? { docComment: doc } : {}) };
  });
  return { kind: 'ARG', ...baseOf(req), args };
}

export function parseExpose(req: ParseRequest): ExposeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('EXPOSE');
  const f = parseFlags(req.node.flags, {});
  return { kind: 'EXPOSE', ...baseOf(req, f.used), ports: [...req.args].sort() };
}

export function parseVolume(req: ParseRequest): VolumeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('VOLUME');
  const f = parseFlags(req.node.flags, {});
  const volumes = req.args.map((v) => {
    const t = v.trim();
    if (t === '') throw new FrontendFailure('DOCKERFILE_ARGUMENTS', 'VOLUME specified can not be an empty string');
    return t;
  });
  return { kind: 'VOLUME', ...baseOf(req, f.used), volumes };
}

function oneArg(req: ParseRequest, cmd: string, readFlags = true): { value: string; used: string[] } {
  if (req.args.length !== 1) throw errExactlyOneArgument(cmd);
  return { value: req.args[0]!, used: readFlags ? parseFlags(req.node.flags, {}).used : [] };
}

export function parseUser(req: ParseRequest): UserInstruction {
  const { value, used } = oneArg(req, 'USER');
  return { kind: 'USER', ...baseOf(req, used), user: value };
}

export function parseWorkdir(req: ParseRequest): WorkdirInstruction {
  const { value, used } = oneArg(req, 'WORKDIR');
  return { kind: 'WORKDIR', ...baseOf(req, used), path: value };
}

export function parseMaintainer(req: ParseRequest): MaintainerInstruction {
  const { value, used } = oneArg(req, 'MAINTAINER');
  return { kind: 'MAINTAINER', ...baseOf(req, used), maintainer: value };
}

/** STOPSIGNAL: BuildKit reads no flags here either. */
export function parseStopSignal(req: ParseRequest): StopSignalInstruction {
  const { value } = oneArg(req, 'STOPSIGNAL', false);
  return { kind: 'STOPSIGNAL', ...baseOf(req), signal: value };
}

const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

export function parseFrom(req: ParseRequest): FromInstruction {
  const a = req.args;
  let stageName: string | undefined;
  if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
    stageName = a[2]!.toLowerCase();
    if (!VALID_STAGE_NAME.test(stageName)) {
      throw new FrontendFailure(
        'DOCKERFILE_STAGE_NAME',
        `invalid name for build stage: ${goQuote(a[2]!)}, name can't start with a number or contain symbols`,
        'stage names start with a letter and hold only letters, digits, -, _ and .',
      );
    }
  } else if (a.length !== 1) {
    throw new FrontendFailure('DOCKERFILE_ARGUMENTS', 'FROM requires either one or three arguments', 'write FROM <image> [AS <name>]');
  }
  const f = parseFlags(req.node.flags, { platform: 'string' });
  const platform = f.string('platform');
  const out: FromInstruction = { kind: 'FROM', ...baseOf(req, f.used), baseName: a[0]! };
  if (stageName !== undefined) {
    out.stageName = stageName;
    out.asKeyword = a[1]!;
    out.stageNameAsWritten = a[2]!;
    const doc = docComment(req.node.prevComment, stageName);
    if (doc !== undefined) out.docComment = doc;
  }
  if (platform) out.platform = platform;
  return out;
}
