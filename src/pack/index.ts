/** `hoist pack`: a Node.js project to an image without a Dockerfile — see README.md. */
export { pack } from './pack';
export type { PackOptions, PackResult, PackedLayer, OmitType } from './types';
export { readProject, type NodeProject, type PackageManifest } from './read-project';
export { defaultBase } from './default-base';
export { entrypointOf } from './entrypoint';
export { bucketCount, bucketOf } from './dependency-layers';
