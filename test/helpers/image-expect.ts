import { createHash } from 'node:crypto';
import type { Expectation } from './build-cases';
import type { ArchiveImage } from './image-archive';
import { canonical } from './image-compare';
import { flattenLayers } from './image-tree';

/**
 * Where `image` departs from `expect` (a case's expected tree, config and
 * history, written from BuildKit's documentation and sources), as lines in
 * the comparer's style; empty when it matches.
 */
export function checkExpectation(image: ArchiveImage, expect: Expectation, side = 'hoist'): string[] {
  const out: string[] = [];
  const tree = flattenLayers(image.layers);
  for (const [p, want] of Object.entries(expect.files ?? {})) {
    const got = tree.get(p);
    if (got === undefined) {
      out.push(`tree /${p}: missing in ${side} (expected ${want.type ?? 'an entry'})`);
      continue;
    }
    const actual: Record<string, unknown> = {
      type: got.type,
      mode: `0${got.mode.toString(8).padStart(3, '0')}`,
      uid: got.uid,
      gid: got.gid,
      linkname: got.linkname,
      xattrs: got.xattrs,
    };
    for (const [field, value] of Object.entries(want)) {
      if (field === 'content') {
        const sha = createHash('sha256').update(value as string).digest('hex');
        if (got.sha256 !== sha) out.push(`tree /${p}: content expected=${JSON.stringify(value)} ${side}=sha256:${got.sha256 ?? 'none'} (${got.size} bytes)`);
      } else if (canonical(actual[field]) !== canonical(value)) {
        out.push(`tree /${p}: ${field} expected=${canonical(value) ?? 'absent'} ${side}=${canonical(actual[field]) ?? 'absent'}`);
      }
    }
  }
  for (const p of expect.absent ?? []) if (tree.has(p)) out.push(`tree /${p}: expected absent, present in ${side} (${tree.get(p)?.type})`);
  for (const [field, value] of Object.entries(expect.config ?? {})) {
    const got = image.config.config?.[field];
    if (canonical(got) !== canonical(value)) out.push(`config: ${field} expected=${canonical(value) ?? 'absent'} ${side}=${canonical(got) ?? 'absent'}`);
  }
  if (expect.historyTail !== undefined) {
    const tail = (image.config.history ?? []).slice(-expect.historyTail.length).map((h) => h.created_by ?? '');
    if (canonical(tail) !== canonical(expect.historyTail)) out.push(`history: last created_by expected=${canonical(expect.historyTail)} ${side}=${canonical(tail)}`);
  }
  if (expect.layers !== undefined && image.layers.length !== expect.layers) out.push(`layers: count expected=${expect.layers} ${side}=${image.layers.length}`);
  return out;
}
