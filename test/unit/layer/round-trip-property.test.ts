import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer, diffTrees, encodeHeader, packEntries, readTar } from '../../../src/layer';
import { describeTree, makeTempDir } from '../../helpers/layer-tree';

type Node = { kind: 'file'; name: string; data: string; mode: number } | { kind: 'link'; name: string; target: string } | { kind: 'dir'; name: string; children: Node[] };

const name = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 }).filter((s) => !s.includes('/') && !s.includes('\0') && s !== '.' && s !== '..' && !s.startsWith('.wh.') && Buffer.byteLength(s) <= 255);
const leaf = fc.oneof(
  fc.record({ kind: fc.constant('file' as const), name, data: fc.string({ maxLength: 2000 }), mode: fc.constantFrom(0o644, 0o600, 0o755, 0o4755) }),
  fc.record({ kind: fc.constant('link' as const), name, target: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => !s.includes('\0')) }),
);
const tree = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, fc.record({ kind: fc.constant('dir' as const), name, children: fc.array(tie('node'), { maxLength: 4 }) })),
})).node;

function write(dir: string, nodes: Node[]): void {
  const seen = new Set<string>();
  for (const n of nodes) {
    if (seen.has(n.name)) continue;
    seen.add(n.name);
    const p = path.join(dir, n.name);
    if (n.kind === 'file') {
      fs.writeFileSync(p, n.data);
      fs.chmodSync(p, n.mode);
    } else if (n.kind === 'link') fs.symlinkSync(n.target, p);
    else {
      fs.mkdirSync(p);
      write(p, n.children);
    }
  }
}

describe('layer round trip over generated trees (property)', () => {
  it('tree -> tar -> apply gives the same tree', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(tree, { minLength: 1, maxLength: 6 }), async (nodes) => {
        const tmp = makeTempDir();
        try {
          const src = path.join(tmp.dir, 'src');
          const out = path.join(tmp.dir, 'out');
          fs.mkdirSync(src);
          fs.mkdirSync(out);
          write(src, nodes);
          await applyLayer(packEntries(await diffTrees(undefined, src)), out);
          assert.deepEqual(await describeTree(out), await describeTree(src));
        } finally {
          tmp.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('writes sizes over 8 GiB as a PAX size record', async () => {
    const size = 9 * 1024 ** 3;
    const header = encodeHeader({ name: 'huge', type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });
    assert.match(header.toString('latin1'), new RegExp(`size=${size}\n`));
    const seen: number[] = [];
    // the body is not there: the reader reports the header, then LAYER_TAR_TRUNCATED
    await assert.rejects(
      readTar(Readable.from([header]), (h) => {
        seen.push(h.size);
        return undefined;
      }),
      /truncated/,
    );
    assert.deepEqual(seen, [size]);
  });
});
