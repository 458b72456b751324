import type { BaseImageInfo } from '../../dockerfile';
import { isHoistError } from '../../errors';
import { formatReference, parseReference, type ImageConfig, type Platform } from '../../oci';
import type { MirrorSettings, RegistryClientOptions } from '../../registry';
import { refNameOf, type Store } from '../../store';
import { lazy } from '../lazy';

/** What the checks need of an image config. */
function baseImageInfoOf(config: ImageConfig): BaseImageInfo {
  const info: BaseImageInfo = { platform: { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) } };
  if (config.config?.Env) info.env = config.config.Env;
  if (config.config?.Shell) info.shell = config.config.Shell;
  return info;
}

function normalised(ref: string): string | undefined {
  try {
    return formatReference(parseReference(ref));
  } catch {
    return undefined;
  }
}

/** The base images the store has, by normalised name, read up front (the checks ask synchronously). */
export async function storeBaseImages(store: Store): Promise<Map<string, BaseImageInfo>> {
  const { loadImageRecord } = lazy.image();
  const known = new Map<string, BaseImageInfo>();
  for (const entry of (await store.index.read()).manifests) {
    const name = refNameOf(entry);
    if (name === undefined) continue;
    try {
      known.set(name, baseImageInfoOf((await loadImageRecord(store.content, entry)).config));
    } catch {
      // an unreadable image answers nothing
    }
  }
  return known;
}

/** A synchronous lookup over `known` that records what it could not answer (and for which platform). */
export function recordingLookup(known: Map<string, BaseImageInfo>, missing?: Map<string, Platform>): (ref: string, platform: Platform) => BaseImageInfo | undefined {
  return (ref, platform) => {
    const name = normalised(ref);
    if (name === undefined) return undefined;
    const info = known.get(name);
    if (info === undefined) missing?.set(name, platform);
    return info;
  };
}

export interface RegistryLookupOptions {
  clientOptions: RegistryClientOptions;
  mirrors: MirrorSettings;
  signal: AbortSignal;
  /** told of each base image that could not be resolved */
  onFailure: (ref: string, err: unknown) => void;
}

/**
 * Resolve base images from their registries as BuildKit does for its checks:
 * the manifest and the config only (`fetchImageConfig`, through the mirrors),
 * into `known`. A failure is reported, not fatal: those stages are checked
 * without the image's variables, as when nothing is known.
 */
export async function fetchBaseImages(missing: Map<string, Platform>, known: Map<string, BaseImageInfo>, o: RegistryLookupOptions): Promise<void> {
  const { fetchImageConfig } = lazy.registry();
  await Promise.all(
    [...missing].map(async ([ref, platform]) => {
      try {
        const { config } = await fetchImageConfig(ref, { platform, clientOptions: o.clientOptions, mirrors: o.mirrors, signal: o.signal });
        known.set(ref, baseImageInfoOf(config));
      } catch (err) {
        if (isHoistError(err) && err.kind === 'canceled') throw err;
        o.onFailure(ref, err);
      }
    }),
  );
}
