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
} as const;
