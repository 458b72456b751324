// `layer`: the layer engine against the tools it must keep up with, on a ~1 GiB, ~7,500-file tree
// copied from /usr/lib (20 MiB with --quick):
//   pack + gzip + both digests   vs  tar -cf - | pigz -p 2, openssl sha256 of both streams
//   pack + zstd + both digests   vs  tar -cf - | zstd -T2 -3, openssl sha256 of both streams
//   apply an uncompressed tar    vs  tar -x
//   apply the gzip layer         vs  umoci unpack (same layer in an OCI layout)
// Run alone: `npm run bench -- layer` (or `node dist/bench/workloads/layer.js [--quick]`).
import { join } from 'node:path';
import { freshDir, removePath } from '../harness/fresh-dir';
import { defineProcessWorkload, type CommandSpec, type RunContext } from '../harness/types';
import { setupLayerFixture, type LayerState } from './layer-fixture';

type R = RunContext<LayerState>;

/** The peer pipeline: tar | tee(fifo -> openssl) | COMPRESSOR | tee(fifo -> openssl) > file. Fixed text; paths are arguments. */
const PEER_PIPELINE = [
  'set -e',
  'tree="$1"; out="$2"; shift 2',
  'mkfifo "$out/raw.fifo" "$out/cmp.fifo"',
  'openssl dgst -sha256 < "$out/raw.fifo" > "$out/raw.sha" & a=$!',
  'openssl dgst -sha256 < "$out/cmp.fifo" > "$out/cmp.sha" & b=$!',
  'tar -cf - -C "$tree" . | tee "$out/raw.fifo" | "$@" | tee "$out/cmp.fifo" > "$out/layer"',
  'wait $a $b',
].join('\n');

/**
 * A 1 MiB young generation keeps pack at ~125-145 MiB peak RSS instead of ~160 (fewer dead
 * 1 MiB chunks between scavenges; ~5% slower). It is a start-up flag only (v8.setFlagsFromString
 * has no effect once the heap exists); bin/hoist passes it the same way, in its shebang.
 */
const NODE_FLAGS = ['--max-semi-space-size=1'];
const run = (r: R, ...args: string[]): CommandSpec => ({ argv: [process.execPath, ...NODE_FLAGS, join(r.repoRoot, 'dist/bench/workloads/layer-run.js'), ...args] });
const peer = (r: R, tool: string, ...compressor: string[]): CommandSpec => ({
  argv: ['/bin/sh', '-c', PEER_PIPELINE, 'sh', r.state.tree, join(r.scratch, 'out'), ...r.tool(tool), ...compressor],
});
const fresh = (name: string) => async (r: R): Promise<void> => void freshDir(join(r.scratch, name));
const drop = (name: string) => async (r: R): Promise<void> => removePath(join(r.scratch, name));

export const layerWorkload = defineProcessWorkload<LayerState>({
  kind: 'process',
  name: 'layer',
  description: 'Layer pack (gzip, zstd, both digests) and apply of a 1 GiB / 7,500-file tree (20 MiB with --quick) vs tar, pigz, zstd, umoci.',
  setup: setupLayerFixture,
  cases: [
    { label: 'hoist pack gzip', tool: 'hoist', before: fresh('store'), command: (r) => run(r, 'pack', r.state.tree, join(r.scratch, 'store'), 'gzip'), after: drop('store') },
    {
      label: 'tar, pigz -p 2 (+2 sha256)',
      tool: 'pigz',
      needs: ['tar'],
      compareTo: 'hoist pack gzip',
      before: fresh('out'),
      command: (r) => peer(r, 'pigz', '-p', '2', '-6', '-c'),
      after: drop('out'),
    },
    { label: 'hoist pack zstd', tool: 'hoist', before: fresh('store'), command: (r) => run(r, 'pack', r.state.tree, join(r.scratch, 'store'), 'zstd'), after: drop('store') },
    {
      label: 'tar, zstd -T2 (+2 sha256)',
      tool: 'zstd',
      needs: ['tar'],
      compareTo: 'hoist pack zstd',
      before: fresh('out'),
      command: (r) => peer(r, 'zstd', '-T2', '-3', '-q', '-c'),
      after: drop('out'),
    },
    { label: 'hoist apply tar', tool: 'hoist', before: fresh('root'), command: (r) => run(r, 'apply', r.state.tarBlob, join(r.scratch, 'root')), after: drop('root') },
    {
      label: 'tar -x (uncompressed)',
      tool: 'tar',
      compareTo: 'hoist apply tar',
      before: fresh('root'),
      command: (r) => ({ argv: [...r.tool('tar'), '-xpf', r.state.tarBlob, '-C', join(r.scratch, 'root')] }),
      after: drop('root'),
    },
    { label: 'hoist apply gzip', tool: 'hoist', before: fresh('root'), command: (r) => run(r, 'apply', r.state.gzipBlob, join(r.scratch, 'root')), after: drop('root') },
    {
      label: 'umoci unpack (gzip)',
      tool: 'umoci',
      compareTo: 'hoist apply gzip',
      before: drop('bundle'),
      command: (r) => ({ argv: [...r.tool('umoci'), 'unpack', '--image', `${r.state.layout}:bench`, join(r.scratch, 'bundle')] }),
      after: drop('bundle'),
    },
  ],
});

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('../run') as { main(argv: readonly string[]): Promise<number> };
  main(['layer', ...process.argv.slice(2)]).then((code) => (process.exitCode = code));
}
