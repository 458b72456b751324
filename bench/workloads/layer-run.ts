// The hoist side of the layer workload, as a process the harness measures (wall time, peak RSS):
//   node dist/bench/workloads/layer-run.js pack TREE STORE gzip|zstd   tree -> tar -> compress -> store, both digests
//   node dist/bench/workloads/layer-run.js apply BLOB DEST             blob -> decompress -> diffID -> extract
import { createReadStream } from 'node:fs';
import { applyLayer, diffTrees, writeLayer } from '../../src/layer';
import type { Compression } from '../../src/oci';
import { Store } from '../../src/store';

/** Packs `tree` into the store at `storeRoot`; returns the digest, diffID and uncompressed size. */
export async function packTree(tree: string, storeRoot: string, compression: Compression): Promise<{ digest: string; diffId: string; size: number }> {
  const store = await Store.open(storeRoot);
  const written = await writeLayer(store.content, await diffTrees(undefined, tree), { compression });
  return { digest: written.descriptor.digest, diffId: written.diffId, size: written.uncompressedSize };
}

/** Applies a layer blob (any compression) into `dest`. */
export async function applyBlob(blob: string, dest: string): Promise<{ diffId: string; size: number }> {
  const r = await applyLayer(createReadStream(blob, { highWaterMark: 1024 * 1024 }), dest);
  return { diffId: r.diffId, size: r.size };
}

async function main(argv: string[]): Promise<void> {
  const [op, a, b, c] = argv;
  if (op === 'pack' && a && b && (c === 'gzip' || c === 'zstd' || c === 'none')) {
    process.stdout.write(`${JSON.stringify(await packTree(a, b, c))}\n`);
  } else if (op === 'apply' && a && b) {
    process.stdout.write(`${JSON.stringify(await applyBlob(a, b))}\n`);
  } else {
    throw new Error('usage: layer-run pack TREE STORE gzip|zstd|none | apply BLOB DEST');
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
