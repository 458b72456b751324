import type { EnvGetter } from '../shell/env';
import { expandWord, expandWords } from '../shell/expand';
import { parseChmod, parseChown, sourceKind } from './copy-values';
import type { AddInstruction, CopyInstruction, Instruction } from './instruction';
import { parseMount } from './mount';
import { csvFields } from './values';

export interface ExpandedInstruction<T extends Instruction = Instruction> {
  instruction: T;
  /** variables used and set */
  matched: string[];
  /** variables used and not set (UndefinedVar) */
  unmatched: string[];
}

/**
 * Expand an instruction's variables against the stage's environment, exactly
 * where BuildKit does: ENV/LABEL keys and values; ADD/COPY sources, destination,
 * --chown, --chmod, ADD --checksum and expandable heredoc bodies (never COPY
 * --from); WORKDIR, USER, VOLUME, STOPSIGNAL; RUN --mount values; EXPOSE (split
 * into words). ARG defaults expand too (their keys do not). RUN, CMD,
 * ENTRYPOINT, SHELL, HEALTHCHECK, MAINTAINER and ONBUILD are left to the shell
 * or the child build. Returns a new instruction; the input is not changed.
 */
export function expandInstruction<T extends Instruction>(ins: T, env: EnvGetter, opts: { escapeToken?: string } = {}): ExpandedInstruction<T> {
  const matched = new Set<string>();
  const unmatched = new Set<string>();
  const word = (w: string): string => {
    const r = expandWord(w, env, opts);
    r.matched.forEach((m) => matched.add(m));
    r.unmatched.forEach((m) => unmatched.add(m));
    return r.result;
  };
  const raw = (w: string): string => {
    const r = expandWord(w, env, { escapeToken: '\\', skipProcessQuotes: true });
    r.matched.forEach((m) => matched.add(m));
    r.unmatched.forEach((m) => unmatched.add(m));
    return r.result;
  };
  // shallow copy: every field changed below is replaced, never mutated in place
  const out = { ...ins } as Instruction;
  switch (out.kind) {
    case 'ENV':
      out.env = out.env.map((kv) => ({ key: word(kv.key), value: word(kv.value), noDelim: kv.noDelim }));
      break;
    case 'LABEL':
      out.labels = out.labels.map((kv) => ({ key: word(kv.key), value: word(kv.value), noDelim: kv.noDelim }));
      break;
    case 'ADD':
    case 'COPY':
      expandCopy(out, word, raw);
      break;
    case 'WORKDIR':
      out.path = word(out.path);
      break;
    case 'USER':
      out.user = word(out.user);
      break;
    case 'VOLUME':
      out.volumes = out.volumes.map(word);
      break;
    case 'STOPSIGNAL':
      out.signal = word(out.signal);
      break;
    case 'ARG':
      out.args = out.args.map((a) => (a.value === undefined ? a : { ...a, value: word(a.value) }));
      break;
    case 'EXPOSE':
      out.ports = out.ports.flatMap((p) => {
        const r = expandWords(p, env, opts);
        return r.words;
      });
      break;
    case 'RUN':
      out.mountSpecs = out.mountSpecs.map((spec) =>
        csvFields(spec)
          .map((f) => {
            const eq = f.indexOf('=');
            return eq < 0 ? f : f.slice(0, eq + 1) + word(f.slice(eq + 1));
          })
          .map((f) => (/[",]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f))
          .join(','),
      );
      out.mounts = out.mountSpecs.map(parseMount);
      break;
    default:
      break;
  }
  return { instruction: out as T, matched: [...matched].sort(), unmatched: [...unmatched].sort() };
}

function expandCopy(c: CopyInstruction | AddInstruction, word: (w: string) => string, raw: (w: string) => string): void {
  if (c.chown) {
    const v = word(c.chown.raw);
    if (v === '') delete c.chown;
    else c.chown = parseChown(v);
  }
  if (c.chmod) {
    const v = word(c.chmod.raw);
    if (v === '') delete c.chmod;
    else c.chmod = parseChmod(v);
  }
  if (c.kind === 'ADD' && c.checksum !== undefined) c.checksum = word(c.checksum);
  c.sources = c.sources.map(word);
  if (c.kind === 'ADD') c.sourceKinds = c.sources.map(sourceKind);
  c.dest = word(c.dest);
  c.sourceContents = c.sourceContents.map((s) => (s.expand ? { ...s, data: raw(s.data) } : s));
}
