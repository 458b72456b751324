import { parseWhiteout } from '../../src/layer/apply/whiteouts';
import type { ImageEntry } from './image-archive';

function isBelow(p: string, dir: string): boolean {
  return dir === '.' || dir === '' ? p !== '.' : p.startsWith(`${dir}/`);
}

function removeBelow(tree: Map<string, ImageEntry>, dir: string): void {
  for (const p of [...tree.keys()]) if (isBelow(p, dir)) tree.delete(p);
}

/**
 * The file tree an image's layers make, applied in order as the OCI image
 * spec says: `.wh.NAME` removes NAME (and all below it), `DIR/.wh..wh..opq`
 * hides what lower layers put in DIR, a non-directory replacing a directory
 * removes its contents. A hard link takes its target's size and content hash
 * (as it is when the link is applied) and keeps type `link` and its target.
 */
export function flattenLayers(layers: readonly ImageEntry[][]): Map<string, ImageEntry> {
  const tree = new Map<string, ImageEntry>();
  for (const layer of layers) {
    for (const e of layer) {
      const wh = parseWhiteout(e.path);
      if (wh?.kind === 'opaque') removeBelow(tree, wh.dir);
      else if (wh?.kind === 'delete') {
        tree.delete(wh.target);
        removeBelow(tree, wh.target);
      }
    }
    for (const e of layer) {
      if (parseWhiteout(e.path) !== undefined) continue;
      const before = tree.get(e.path);
      if (before?.type === 'dir' && e.type !== 'dir') removeBelow(tree, e.path);
      if (e.type === 'link') {
        const target = tree.get(e.linkname ?? '');
        const linked: ImageEntry = { ...e, size: target?.size ?? 0 };
        if (target?.sha256 !== undefined) linked.sha256 = target.sha256;
        tree.set(e.path, linked);
      } else tree.set(e.path, e);
    }
  }
  return new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
