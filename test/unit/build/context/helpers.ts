import * as fs from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from '../../../helpers/tmp';
import type { CopyRequest } from '../../../../src/build/context';

/** An entry for makeTree: file content, or a directory / symlink. */
export type Spec = string | { dir: true; mode?: number } | { link: string } | { content: string; mode?: number; mtime?: number; uid?: number; gid?: number };

/** Create a temp directory holding `entries` (parents made as needed). */
export function makeTree(entries: Record<string, Spec>, prefix = 'hoist-ctx-'): string {
  const root = tmpDir(prefix);
  for (const [rel, spec] of Object.entries(entries)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    if (typeof spec === 'string') fs.writeFileSync(p, spec);
    else if ('dir' in spec) {
      fs.mkdirSync(p, { recursive: true });
      if (spec.mode !== undefined) fs.chmodSync(p, spec.mode);
    } else if ('link' in spec) fs.symlinkSync(spec.link, p);
    else {
      fs.writeFileSync(p, spec.content);
      if (spec.mode !== undefined) fs.chmodSync(p, spec.mode);
      if (spec.uid !== undefined) fs.chownSync(p, spec.uid, spec.gid ?? spec.uid);
      if (spec.mtime !== undefined) fs.utimesSync(p, spec.mtime, spec.mtime);
    }
  }
  return root;
}

/** `path type mode uid:gid [content|-> target]`, one line per entry below `root`, sorted. */
export function listTree(root: string, options: { owners?: boolean } = {}): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      const p = path.join(root, r);
      const st = fs.lstatSync(p);
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
      const own = options.owners === false ? '' : ` ${st.uid}:${st.gid}`;
      if (st.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(p)}${own}`);
      else if (st.isDirectory()) {
        out.push(`${r}/ ${mode}${own}`);
        visit(r);
      } else out.push(`${r} ${mode}${own} ${JSON.stringify(fs.readFileSync(p, 'utf8'))}`);
    }
  };
  visit('');
  return out;
}

export function req(sources: string[], dest: string, extra: Partial<CopyRequest> = {}): CopyRequest {
  return { sources, dest, workdir: '/', instruction: 'COPY', ...extra };
}

export function rootfs(entries: Record<string, Spec> = {}): string {
  return makeTree(entries, 'hoist-rootfs-');
}
