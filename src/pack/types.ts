import type { Digest } from '../oci/digest';
import type { Descriptor } from '../oci/descriptor';
import type { ProgressListener } from '../progress/events';
import type { OmitType } from './install-tree';

export type { OmitType };

export interface PackOptions {
  /** the project directory (package.json and its lockfile) */
  dir: string;
  /** full or familiar references to tag */
  tags: string[];
  /** default: node:MAJOR-slim from engines.node */
  base?: string;
  platform?: string;
  /** default ['dev'] */
  omit?: OmitType[];
  entrypoint?: string[];
  /** default 1000 (the node user of the official images) */
  user?: string;
  /** also write a docker-archive (= OCI layout) to this file */
  outputs?: Array<{ type: 'oci' | 'docker'; dest: string }>;
  env?: NodeJS.ProcessEnv;
  insecureRegistries?: string[];
  signal?: AbortSignal;
  onProgress?: ProgressListener;
}

/** One layer pack/ added, bottom first. */
export interface PackedLayer {
  /** dependencies, dependencies 2/4, dependency tree, native builds, app */
  name: string;
  descriptor: Descriptor;
  diffId: Digest;
  /** packages in a dependency bucket */
  packages?: number;
}

export interface PackResult {
  imageId: Digest;
  manifestDigest: Digest;
  tags: string[];
  base: string;
  layers: PackedLayer[];
  /** every installed package, name@version */
  packages: string[];
  /** packages whose install scripts ran in the base image */
  native: string[];
  /** the dependency layers came from an earlier pack of the same tree (nothing was installed) */
  dependenciesCached: boolean;
}
