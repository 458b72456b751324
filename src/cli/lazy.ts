/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The heavy areas, loaded on first use, so that each command loads only what it
 * runs: undici alone costs ~19 MiB of RSS and ~60 ms at start, the whole set
 * ~30 MiB and ~100 ms. Command modules import types statically, values from here.
 */
export const lazy = {
  build: () => require('../build') as typeof import('../build'),
  convert: () => require('../convert') as typeof import('../convert'),
  /** what `hoist run` needs of convert/ (not the LXC and incus writers) */
  bundle: () => require('../convert/bundle') as typeof import('../convert/bundle'),
  runtimeSpec: () => require('../convert/runtime-spec') as typeof import('../convert/runtime-spec'),
  dockerfile: () => require('../dockerfile') as typeof import('../dockerfile'),
  image: () => require('../image') as typeof import('../image'),
  /** listImages, describeImage without the archive readers and writers (and their tar and zstd modules) */
  describeImage: () => require('../image/describe-image') as typeof import('../image/describe-image'),
  resolveImage: () => require('../image/resolve-image') as typeof import('../image/resolve-image'),
  layer: () => require('../layer') as typeof import('../layer'),
  layerUse: () => require('../store/layer-use') as typeof import('../store/layer-use'),
  registry: () => require('../registry') as typeof import('../registry'),
  runtime: () => require('../runtime') as typeof import('../runtime'),
  snapshot: () => require('../snapshot') as typeof import('../snapshot'),
  selectSnapshotter: () => require('../snapshot/select-snapshotter') as typeof import('../snapshot/select-snapshotter'),
};
