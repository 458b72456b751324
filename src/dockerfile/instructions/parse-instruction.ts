import { FrontendFailure } from '../errors';
import { suggest } from '../suggest';
import type { Node } from '../syntax/ast';
import { errAtLeastOneArgument, requestFromNode, baseOf, type ParseRequest } from './common';
import { parseAdd, parseCopy } from './parse-copy';
import { parseCmd, parseEntrypoint, parseHealthcheck, parseRun, parseShell } from './parse-command';
import {
  parseArg,
  parseEnv,
  parseExpose,
  parseFrom,
  parseLabel,
  parseMaintainer,
  parseStopSignal,
  parseUser,
  parseVolume,
  parseWorkdir,
} from './parse-basic';
import { parseFlags } from './flags';
import { INSTRUCTION_NAMES, type FromInstruction, type Instruction, type OnbuildInstruction } from './instruction';

const PARSERS: Record<string, (req: ParseRequest) => Instruction | FromInstruction> = {
  add: parseAdd,
  arg: parseArg,
  cmd: parseCmd,
  copy: parseCopy,
  entrypoint: parseEntrypoint,
  env: parseEnv,
  expose: parseExpose,
  from: parseFrom,
  healthcheck: parseHealthcheck,
  label: parseLabel,
  maintainer: parseMaintainer,
  onbuild: parseOnbuild,
  run: parseRun,
  shell: parseShell,
  stopsignal: parseStopSignal,
  user: parseUser,
  volume: parseVolume,
  workdir: parseWorkdir,
};

/**
 * Turn one instruction node into its typed instruction (FROM included). Throws
 * FrontendFailure; `parseStages` adds the file position.
 */
export function parseInstruction(node: Node): Instruction | FromInstruction {
  const key = node.value.toLowerCase();
  const parse = Object.hasOwn(PARSERS, key) ? PARSERS[key] : undefined;
  if (!parse) {
    const s = suggest(node.value.toUpperCase(), INSTRUCTION_NAMES);
    throw new FrontendFailure('DOCKERFILE_UNKNOWN_INSTRUCTION', `unknown instruction: ${node.value}`, s ? `did you mean ${s}?` : undefined, {
      instruction: node.value,
    });
  }
  return parse(requestFromNode(node));
}

function parseOnbuild(req: ParseRequest): OnbuildInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('ONBUILD');
  const f = parseFlags(req.node.flags, {});
  const trigger = req.args[0]!.trim().toUpperCase();
  if (trigger === 'ONBUILD') {
    throw new FrontendFailure('DOCKERFILE_ONBUILD_TRIGGER', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  }
  if (trigger === 'MAINTAINER' || trigger === 'FROM') {
    throw new FrontendFailure('DOCKERFILE_ONBUILD_TRIGGER', `${trigger} isn't allowed as an ONBUILD trigger`);
  }
  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of req.node.heredocs) expression += '\n' + h.content + h.name;
  const inner = { ...req.node.next!.children[0]!, heredocs: req.node.heredocs, range: req.node.range!, prevComment: [] };
  const out: OnbuildInstruction = { kind: 'ONBUILD', ...baseOf(req, f.used), expression };
  // BuildKit checks the trigger only when a child image runs it: a bad one is kept, unparsed.
  try {
    out.trigger = parseInstruction(inner) as Instruction;
  } catch (err) {
    if (!(err instanceof FrontendFailure)) throw err;
  }
  return out;
}
