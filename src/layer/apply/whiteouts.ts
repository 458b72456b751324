import * as fs from 'node:fs';
import { LayerError } from '../../errors';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../diff/pack-entry';
import { lstatOrUndefined, type LayerPath, type PathResolver } from './safe-path';

export type Whiteout = { kind: 'delete'; target: LayerPath } | { kind: 'opaque'; dir: LayerPath } | { kind: 'aufs' } | undefined;

/** Classifies a normalised entry path: `.wh..wh..opq`, `.wh.NAME`, aufs metadata, or not a whiteout. */
export function parseWhiteout(p: LayerPath): Whiteout {
  const slash = p.lastIndexOf('/');
  const base = p.slice(slash + 1);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  const dir = slash < 0 ? '' : p.slice(0, slash);
  if (base === OPAQUE_WHITEOUT) return { kind: 'opaque', dir };
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return { kind: 'aufs' };
  const name = base.slice(WHITEOUT_PREFIX.length);
  if (name === '' || name === '.' || name === '..') {
    throw new LayerError('LAYER_UNSAFE_PATH', `whiteout ${JSON.stringify(p)} names no file inside its directory`, { path: p, reason: 'whiteout' });
  }
  return { kind: 'delete', target: dir === '' ? name : `${dir}/${name}` };
}

/** Removes a path (a directory with everything in it), never following symlinks. */
export function removePath(resolver: PathResolver, p: LayerPath): void {
  const full = resolver.full(p);
  const st = lstatOrUndefined(full);
  if (st === undefined) return;
  if (st.isDirectory()) fs.rmSync(full, { recursive: true, force: true });
  else fs.unlinkSync(full);
  resolver.forget(p);
}

/**
 * Opaque directory in delete mode: removes every child of `dir` the lower
 * layers left, keeping what this layer wrote (also before the marker), and
 * inside kept directories, again only what this layer wrote.
 */
export function clearOpaque(resolver: PathResolver, dir: LayerPath, written: ReadonlySet<string>): void {
  const full = resolver.full(dir);
  const st = lstatOrUndefined(full);
  if (st === undefined || !st.isDirectory()) return;
  for (const name of fs.readdirSync(full)) {
    const child = dir === '' ? name : `${dir}/${name}`;
    if (!written.has(child)) removePath(resolver, child);
    else if (lstatOrUndefined(resolver.full(child))?.isDirectory()) clearOpaque(resolver, child, written);
  }
}
