import { FrontendFailure } from '../errors';
import { chompHeredocContent, parseHeredoc } from '../syntax/heredoc';
import { baseOf, errNoDestination, type ParseRequest } from './common';
import { parseChmod, parseChown, sourceKind } from './copy-values';
import { parseFlags, type FlagValues } from './flags';
import type { AddInstruction, CopyInstruction } from './instruction';
import type { ChmodSpec, HeredocSource } from './types';

/** The chmod value: parsed when it holds no variable, else kept raw for expansion. */
export function chmodOf(raw: string | undefined): ChmodSpec | { raw: string } | undefined {
  if (raw === undefined || raw === '') return undefined;
  return raw.includes('$') ? { raw } : parseChmod(raw);
}

function sourcesAndDest(req: ParseRequest, cmd: string): { sources: string[]; sourceContents: HeredocSource[]; dest: string } {
  const dest = req.args[req.args.length - 1]!;
  if (parseHeredoc(dest)) throw new FrontendFailure('DOCKERFILE_HEREDOC', `${cmd} cannot accept a heredoc as a destination`);
  const bodies = new Map(req.node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const sourceContents: HeredocSource[] = [];
  for (const src of req.args.slice(0, -1)) {
    const h = parseHeredoc(src);
    if (!h) {
      sources.push(src);
      continue;
    }
    let data = bodies.get(h.name)?.content ?? '';
    if (h.chomp) data = chompHeredocContent(data);
    sourceContents.push({ path: h.name, data, expand: h.expand });
  }
  return { sources, sourceContents, dest };
}

function common(req: ParseRequest, f: FlagValues, cmd: string) {
  const sd = sourcesAndDest(req, cmd);
  const chown = f.string('chown');
  const chmod = chmodOf(f.string('chmod'));
  return {
    ...baseOf(req, f.used),
    ...sd,
    sourceKinds: sd.sources.map(cmd === 'ADD' ? sourceKind : () => 'context' as const),
    ...(chown ? { chown: parseChown(chown) } : {}),
    ...(chmod ? { chmod } : {}),
    link: f.bool('link'),
    excludes: f.strings('exclude'),
  };
}

export function parseCopy(req: ParseRequest): CopyInstruction {
  if (req.args.length < 2) throw errNoDestination('COPY');
  const f = parseFlags(req.node.flags, { chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool' });
  const from = f.string('from');
  return { kind: 'COPY', ...common(req, f, 'COPY'), ...(from ? { from } : {}), parents: f.bool('parents') };
}

export function parseAdd(req: ParseRequest): AddInstruction {
  if (req.args.length < 2) throw errNoDestination('ADD');
  const f = parseFlags(req.node.flags, {
    chown: 'string',
    chmod: 'string',
    link: 'bool',
    'keep-git-dir': 'bool',
    checksum: 'string',
    unpack: 'bool',
    exclude: 'strings',
  });
  const out: AddInstruction = { kind: 'ADD', ...common(req, f, 'ADD') };
  if (f.has('keep-git-dir')) out.keepGitDir = f.bool('keep-git-dir');
  if (f.has('unpack')) out.unpack = f.bool('unpack');
  const checksum = f.string('checksum');
  if (checksum) out.checksum = checksum;
  return out;
}
