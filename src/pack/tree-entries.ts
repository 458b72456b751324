import * as fs from 'node:fs';
import * as path from 'node:path';
import { throwIfAborted } from '../errors';
import type { PackEntry } from '../layer/diff/pack-entry';

/** Owner, times and modes of every file pack/ writes: fixed, so the same tree gives the same bytes. */
export interface EntryPolicy {
  uid: number;
  gid: number;
  /** whole seconds (SOURCE_DATE_EPOCH, the lockfile's commit time, or 0) */
  mtime: number;
}

/** Modes without the umask's say: directories and executables 0755, other files 0644, links as they are. */
function normalMode(st: fs.Stats): number {
  if (st.isSymbolicLink()) return 0o777;
  if (st.isDirectory()) return 0o755;
  return st.mode & 0o111 ? 0o755 : 0o644;
}

/** One entry for the file at `source`, named `name` in the layer, with the policy's owner, time and mode. */
export function policyEntry(name: string, source: string, policy: EntryPolicy, stats?: fs.Stats): PackEntry {
  const st = stats ?? fs.lstatSync(source);
  return { name, source, stats: st, override: { uid: policy.uid, gid: policy.gid, mtime: policy.mtime, mode: normalMode(st) } };
}

/**
 * Entries for `dir` and everything under it (symlinks not followed), named
 * `prefix/...`; sockets and devices are skipped (npm never makes them).
 */
export function walkEntries(dir: string, prefix: string, policy: EntryPolicy, signal?: AbortSignal): PackEntry[] {
  const out: PackEntry[] = [];
  const visit = (abs: string, name: string): void => {
    throwIfAborted(signal);
    const st = fs.lstatSync(abs);
    if (!st.isFile() && !st.isDirectory() && !st.isSymbolicLink()) return;
    out.push(policyEntry(name, abs, policy, st));
    if (st.isDirectory()) for (const child of fs.readdirSync(abs)) visit(path.join(abs, child), `${name}/${child}`);
  };
  visit(dir, prefix);
  return out;
}

/** Entries for the directories `a`, `a/b`, ... of a layer path, taken from `root` (each layer carries its parents). */
export function parentEntries(root: string, prefix: string, rel: string, policy: EntryPolicy): PackEntry[] {
  const out: PackEntry[] = [];
  const parts = rel.split('/').slice(0, -1);
  for (let i = 0; i <= parts.length; i++) {
    const sub = parts.slice(0, i).join('/');
    out.push(policyEntry(sub === '' ? prefix : `${prefix}/${sub}`, sub === '' ? root : path.join(root, sub), policy));
  }
  return out;
}
