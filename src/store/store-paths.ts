import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { digestAlgorithm, digestHex, type Digest } from '../oci/digest';

/** Where everything lives under a store root (DESIGN.md "The store"). */
export class StorePaths {
  constructor(readonly root: string) {}

  get ociLayout(): string {
    return path.join(this.root, 'oci-layout');
  }
  get index(): string {
    return path.join(this.root, 'index.json');
  }
  get blobs(): string {
    return path.join(this.root, 'blobs');
  }
  get ingest(): string {
    return path.join(this.root, 'ingest');
  }
  get layers(): string {
    return path.join(this.root, 'layers');
  }
  get cache(): string {
    return path.join(this.root, 'cache');
  }
  /** records of bundles and containers that mount unpacked layers (layer-use.ts) */
  get uses(): string {
    return path.join(this.root, 'uses');
  }
  get locks(): string {
    return path.join(this.root, 'locks');
  }
  get leases(): string {
    return path.join(this.root, 'locks', 'leases');
  }
  get indexLock(): string {
    return path.join(this.root, 'locks', 'index.lock');
  }
  get gcLock(): string {
    return path.join(this.root, 'locks', 'gc.lock');
  }

  blob(digest: Digest): string {
    return path.join(this.blobs, digestAlgorithm(digest), digestHex(digest));
  }

  /** ingest directory for a writer ref (a hash of it: refs may hold any characters) */
  ingestDir(ref: string): string {
    return path.join(this.ingest, createHash('sha256').update(ref).digest('hex').slice(0, 32));
  }

  layer(chainId: Digest): string {
    return path.join(this.layers, digestHex(chainId));
  }
}
