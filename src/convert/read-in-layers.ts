import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConvertError, isErrno } from '../errors';
import { resolveScoped, type ScopedKind } from '../layer/scoped-path';
import { libc } from '../sys';
import { readSmallFile } from './read-in-root';

const MAX_LINKS = 40;

/** An entry of the union: the layer directory that shows it, and what it is there. */
interface Found {
  layer: string;
  st: fs.Stats;
}

function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw err;
  }
}

/** overlayfs's whiteout: a character device 0/0 */
const isWhiteout = (st: fs.Stats): boolean => st.isCharacterDevice() && st.rdev === 0;

/** overlayfs's opaque directory (`trusted.overlay.opaque=y`): nothing below it shows through. */
function isOpaque(dir: string): boolean {
  const v = libc().lgetxattr(dir, 'trusted.overlay.opaque');
  return typeof v !== 'string' && v.toString() === 'y';
}

/**
 * The entry at `rel` (root-relative components, no symlinks left to follow
 * but the last) as an overlay of `layers` (top first, each an unpacked layer in
 * overlay's form: whiteouts as 0/0 devices, opaque directories marked) shows
 * it: the topmost layer that has it, unless a layer above deletes it (a
 * whiteout), puts a non-directory on the way, or makes a directory on the way
 * opaque. The opacity xattr is read only when the walk would go on below a
 * layer, so an image of one layer needs no native call.
 */
function lookup(layers: readonly string[], rel: string): Found | undefined {
  const parts = rel === '' ? [] : rel.split('/');
  for (const [i, layer] of layers.entries()) {
    let p = layer;
    let k = 0;
    for (; k < parts.length; k++) {
      p = `${p}/${parts[k]}`;
      const st = lstatOrUndefined(p);
      if (st === undefined) break;
      if (isWhiteout(st)) return undefined;
      if (k === parts.length - 1) return { layer, st };
      if (!st.isDirectory()) return undefined;
    }
    if (parts.length === 0) return { layer, st: fs.lstatSync(layer) };
    if (i === layers.length - 1) return undefined;
    // parts[0..k) are directories of this layer: an opaque one hides the layers below
    for (let j = k; j > 0; j--) if (isOpaque(path.join(layer, ...parts.slice(0, j)))) return undefined;
  }
  return undefined;
}

function kindOf(found: Found | undefined): ScopedKind {
  if (found === undefined) return undefined;
  return found.st.isSymbolicLink() ? 'link' : found.st.isDirectory() ? 'dir' : 'other';
}

/** What the overlay of `layers` (top first) shows at `rel` (root-relative, no symlink followed). */
export function kindInLayers(layers: readonly string[], rel: string): ScopedKind {
  return kindOf(lookup(layers, rel));
}

/**
 * Read a small file of an image from its unpacked layers (top first) as the
 * overlay of them would show it, without mounting it (`hoist run` leaves the
 * mount to the runtime): symlinks resolved inside the image as
 * `readFileInRoot` does, whiteouts and opaque directories honoured.
 * Undefined when absent or not a regular file.
 */
export function readFileInLayers(layers: readonly string[], p: string, maxBytes = 4 * 1024 * 1024): string | undefined {
  const { parts } = resolveScoped(
    p,
    {
      kind: (rel) => kindOf(lookup(layers, rel)),
      readlink: (rel) => fs.readlinkSync(path.join(lookup(layers, rel)!.layer, rel)),
    },
    { followLast: true, maxLinks: MAX_LINKS, stopEarly: false, tooManyLinks: () => new ConvertError('CONVERT_PATH_LOOP', `too many symbolic links resolving ${p} in the image`, { path: p }) },
  );
  const found = lookup(layers, parts.join('/'));
  if (found === undefined || !found.st.isFile()) return undefined;
  return readSmallFile(path.join(found.layer, ...parts), p, maxBytes);
}
