import type { Descriptor } from '../../../oci/descriptor';
import type { Store } from '../../../store/store';

/**
 * Where imported cache content comes from (a registry repository, an OCI
 * layout directory). Lifecycle: `readManifest` once (undefined: nothing
 * there), `readSmallBlob` for the cache config (or an image config),
 * `fetchBlob` for each layer a build turns out to need, then `close`.
 */
export interface CacheSource {
  /** for warnings: `registry 127.0.0.1:5000/app:cache`, `local /ci/cache` */
  readonly name: string;
  readManifest(signal?: AbortSignal): Promise<Buffer | undefined>;
  /** a manifest the first one names (an image of a multi-platform index), checked against its descriptor */
  readChildManifest(desc: Descriptor, signal?: AbortSignal): Promise<Buffer>;
  /** a small blob read whole, checked against its descriptor */
  readSmallBlob(desc: Descriptor, signal?: AbortSignal): Promise<Buffer>;
  /** copy a blob into the store, verified by digest and size as it streams */
  fetchBlob(store: Store, desc: Descriptor, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
