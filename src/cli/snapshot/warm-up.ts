import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { digestOf } from '../../oci/digest';
import { readBlobCapped } from '../../store/helpers';
import { LocalContentStore } from '../../store/local-content-store';

/**
 * Run by the snapshot entry while the heap is made (after the modules have
 * loaded, before V8 serializes it): reads a blob the way every command that
 * reads the store does (open, stream, digest check, JSON), so that V8 keeps the
 * compiled code of that path (ours and node's streams, fs and hash) in the
 * heap, which it otherwise compiles on first use at each start: `hoist images`
 * -5 ms of CPU (docs/run.md). A content store in a temp directory and nothing
 * else: no lock, lease or store state, which would keep this process's pid,
 * time or host in the heap.
 */
export async function warmUp(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-snapshot-warm-up-'));
  try {
    const data = Buffer.from('{"schemaVersion":2}');
    const digest = digestOf(data);
    const store = new LocalContentStore(dir);
    fs.mkdirSync(path.dirname(store.blobPath(digest)), { recursive: true });
    fs.writeFileSync(store.blobPath(digest), data);
    for (let i = 0; i < 2; i++) JSON.parse((await readBlobCapped(store, { digest, size: data.length })).toString('utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
