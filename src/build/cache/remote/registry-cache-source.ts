import { isHoistError } from '../../../errors';
import type { Descriptor } from '../../../oci/descriptor';
import { parseReference, formatReference } from '../../../oci/reference';
import type { Store } from '../../../store/store';
import type { ProgressListener } from '../../../progress/events';
import { MANIFEST_MAX_BYTES, readCapped } from '../../../stream/read-capped';
import type { RegistryClient, RegistryClientOptions } from '../../../registry/registry-client';
import type { CacheSource } from './cache-source';

/** The registry area, loaded when a build names a registry cache (start-up stays small otherwise). */
export function registryModule(): typeof import('../../../registry') {
  return require('../../../registry') as typeof import('../../../registry'); // eslint-disable-line @typescript-eslint/no-require-imports
}

export interface RegistryCacheOptions {
  clientOptions: RegistryClientOptions;
  onProgress?: ProgressListener;
}

/** A cache manifest in a registry repository (`ref`'s tag, default latest), its blobs fetched on demand. */
export class RegistryCacheSource implements CacheSource {
  readonly name: string;
  private readonly ref;
  private client: Promise<RegistryClient> | undefined;

  constructor(ref: string, private readonly options: RegistryCacheOptions) {
    this.ref = parseReference(ref);
    this.name = `registry ${formatReference(this.ref)}`;
  }

  private open(): Promise<RegistryClient> {
    return (this.client ??= registryModule().RegistryClient.create(this.ref.domain, {
      ...this.options.clientOptions,
      ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
    }));
  }

  async readManifest(signal?: AbortSignal): Promise<Buffer | undefined> {
    const client = await this.open();
    try {
      return (await client.getManifest(this.ref.path, this.ref.digest ?? this.ref.tag ?? 'latest', signal)).raw;
    } catch (err) {
      if (isHoistError(err, 'REGISTRY_MANIFEST_UNKNOWN') || isHoistError(err, 'REGISTRY_NAME_UNKNOWN')) return undefined;
      throw err;
    }
  }

  async readChildManifest(desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
    return (await (await this.open()).getManifest(this.ref.path, desc.digest, signal)).raw;
  }

  async readSmallBlob(desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
    const client = await this.open();
    return readCapped(await client.openBlob(this.ref.path, desc, signal), MANIFEST_MAX_BYTES, `blob ${desc.digest}`);
  }

  async fetchBlob(store: Store, desc: Descriptor, signal?: AbortSignal): Promise<void> {
    const client = await this.open();
    await registryModule().downloadBlob(client, store.content, this.ref.path, desc, signal);
  }

  async close(): Promise<void> {
    if (this.client !== undefined) await (await this.client.catch(() => undefined))?.close();
  }
}
