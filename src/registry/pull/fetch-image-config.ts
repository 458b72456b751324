import type { Descriptor } from '../../oci/descriptor';
import type { ImageConfig, ImageIndex } from '../../oci/manifest';
import { isIndexMediaType, isManifestMediaType } from '../../oci/media-types';
import { parseImageConfig, parseIndex, parseManifest } from '../../oci/parse-documents';
import { hostPlatform, parsePlatform, type Platform } from '../../oci/platform';
import { formatReference, parseReference, type Reference } from '../../oci/reference';
import { RegistryError } from '../../errors';
import { CONFIG_MAX_BYTES, readCapped } from '../../stream/read-capped';
import { openSource, type OpenSourceOptions } from './open-source';
import { selectPlatform } from './select-platform';

export interface FetchImageConfigOptions extends OpenSourceOptions {
  /** `os/arch[/variant]` or a Platform, for an index; default the host's */
  platform?: string | Platform;
}

export interface FetchedImageConfig {
  /** the full normalised reference asked for */
  reference: string;
  /** the image manifest whose config this is (with the platform when it came from an index) */
  descriptor: Descriptor;
  /** the index the reference named, when it named one */
  index?: Descriptor;
  configDescriptor: Descriptor;
  config: ImageConfig;
  /** the config's bytes, digest-checked */
  raw: Buffer;
}

/**
 * An image's config from its registry without pulling it: resolve (through
 * the mirrors, as a pull does), the index and the platform's manifest, then
 * the config blob, each size-capped and digest-checked. No layer is fetched
 * and nothing is written to a store. What BuildKit does to resolve a base
 * image's config (`hoist check`, and the builder's FROM for an image it does
 * not have).
 */
export async function fetchImageConfig(reference: string | Reference, options: FetchImageConfigOptions = {}): Promise<FetchedImageConfig> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const { signal } = options;
  const { client, source, top } = await openSource(ref, options);
  try {
    const repo = source.reference.path;
    let target = top;
    let index: Descriptor | undefined;
    if (isIndexMediaType(top.mediaType)) {
      index = top;
      const raw = (await client.getManifest(repo, top.digest, signal)).raw;
      const wanted = options.platform === undefined ? hostPlatform() : typeof options.platform === 'string' ? parsePlatform(options.platform) : options.platform;
      target = selectPlatform(parseIndex(raw) as ImageIndex, wanted);
    }
    if (!isManifestMediaType(target.mediaType)) {
      throw new RegistryError('REGISTRY_MANIFEST_INVALID', `${formatReference(ref)} is a ${target.mediaType}, not an image`, { mediaType: target.mediaType });
    }
    const manifest = parseManifest((await client.getManifest(repo, target.digest, signal)).raw);
    const configDescriptor = manifest.config;
    if (configDescriptor.size > CONFIG_MAX_BYTES) {
      throw new RegistryError('REGISTRY_MANIFEST_INVALID', `the config of ${formatReference(ref)} is ${configDescriptor.size} bytes (more than ${CONFIG_MAX_BYTES})`, { size: configDescriptor.size });
    }
    const raw = await readCapped(await client.openBlob(repo, configDescriptor, signal), CONFIG_MAX_BYTES, `config of ${formatReference(ref)}`);
    return {
      reference: formatReference(ref),
      descriptor: { mediaType: target.mediaType, digest: target.digest, size: target.size, ...(target.platform ? { platform: target.platform } : {}) },
      ...(index !== undefined ? { index } : {}),
      configDescriptor,
      config: parseImageConfig(raw),
      raw,
    };
  } finally {
    if (options.client === undefined) await client.close();
  }
}
