import type { Digest } from './digest';
import type { Platform } from './platform';

/** A content descriptor (OCI image spec). */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  platform?: Platform;
  artifactType?: string;
}

/** Annotation keys hoist reads and writes. */
export const Annotation = {
  RefName: 'org.opencontainers.image.ref.name',
  Created: 'org.opencontainers.image.created',
  ContainerdImageName: 'io.containerd.image.name',
  StopSignal: 'org.opencontainers.image.stopSignal',
  ExposedPorts: 'org.opencontainers.image.exposedPorts',
  Os: 'org.opencontainers.image.os',
  Architecture: 'org.opencontainers.image.architecture',
  Author: 'org.opencontainers.image.author',
  /**
   * On an index.json entry hoist converted (oci/to-oci-manifest.ts): the
   * digest of the registry's own manifest, kept in the store beside it, for
   * RepoDigests, pulls by digest and pushes that keep the digest.
   */
  RegistryManifest: 'io.hoist.registry.manifest',
} as const;

/** The digest a registry knows an index.json entry's image by: its own manifest's, if hoist converted it. */
export function registryDigestOf(entry: Descriptor): Digest {
  return (entry.annotations?.[Annotation.RegistryManifest] as Digest | undefined) ?? entry.digest;
}
