import { accessSync, mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isErrno, StoreError } from '../errors';
import { writeFileAtomic } from './atomic-write';
import { IndexStore } from './index-store';
import { createLease, withLease, type Lease } from './lease';
import { LocalContentStore } from './local-content-store';
import { StorePaths } from './store-paths';

export const OCI_LAYOUT_VERSION = '1.0.0';

/** `HOIST_ROOT`, else /var/lib/hoist for root, else $XDG_DATA_HOME/hoist. */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOIST_ROOT) return path.resolve(env.HOIST_ROOT);
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/hoist';
  const data = env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), '.local', 'share');
  return path.join(data, 'hoist');
}

/**
 * A hoist store: an OCI image layout (oci-layout, index.json, blobs/) plus
 * hoist's own records (ingest/, layers/, cache/, locks/). Each record has one
 * owner: `content` owns blobs and ingests, `index` owns index.json.
 */
export class Store {
  readonly paths: StorePaths;
  readonly content: LocalContentStore;
  readonly index: IndexStore;

  private constructor(readonly root: string) {
    this.paths = new StorePaths(root);
    this.content = new LocalContentStore(root);
    this.index = new IndexStore(this.paths);
  }

  /** Open (and create when missing) the store at `root`. */
  static async open(root: string = defaultStoreRoot()): Promise<Store> {
    const store = new Store(path.resolve(root));
    await store.ensureLayout();
    return store;
  }

  /** A lease (lease.ts): release it only after the tag or cache record that references what you wrote is visible. */
  lease(): Promise<Lease> {
    return createLease(this.paths);
  }

  /**
   * Run `fn` under a lease released after `fn` settles: write blobs (`keep`
   * the existing ones you reference) and tag or write the cache record inside
   * `fn`, and no concurrent prune deletes any of it.
   */
  withLease<T>(fn: (lease: Lease) => Promise<T>): Promise<T> {
    return withLease(this.paths, fn);
  }

  /**
   * Create what is missing, index.json before oci-layout: a layout is
   * visible (to skopeo, umoci) only once oci-layout is, and by then its
   * index.json is there, whenever this is interrupted. In synchronous calls
   * (~12 system calls on a store that exists: every command opens it, and as
   * many thread-pool round trips took 3-8 ms).
   */
  private async ensureLayout(): Promise<void> {
    const p = this.paths;
    mkdirSync(path.join(p.blobs, 'sha256'), { recursive: true });
    for (const dir of [p.ingest, p.layers, p.cache, p.locks]) mkdirSync(dir, { recursive: true });
    let layout: string | undefined;
    try {
      layout = readFileSync(p.ociLayout, 'utf8');
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
    if (layout !== undefined) checkLayoutVersion(this.root, p.ociLayout, layout);
    try {
      accessSync(p.index);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
      // under the index lock, keeping whatever a concurrent first command wrote meanwhile
      await this.index.update((manifests) => ({ result: undefined, manifests }));
    }
    if (layout === undefined) await writeFileAtomic(p.ociLayout, JSON.stringify({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
  }
}

function checkLayoutVersion(root: string, file: string, layout: string): void {
  let version: unknown;
  try {
    version = (JSON.parse(layout) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch (err) {
    throw new StoreError('STORE_CORRUPT', `${file} is not valid JSON`, { path: file }, { cause: err });
  }
  if (typeof version !== 'string' || !version.startsWith('1.')) {
    throw new StoreError('STORE_LAYOUT_VERSION', `${root} is an OCI layout of version ${JSON.stringify(version)}; hoist reads 1.x`, {
      path: file,
      version,
    });
  }
}
