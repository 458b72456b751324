/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * The heavy areas, loaded on first use, so that each command loads only what it
 * runs: undici alone costs ~19 MiB of RSS and ~60 ms at start, the whole set
 * ~30 MiB and ~100 ms. Command modules import types statically, values from here.
 */
export const lazy = {
  convert: () => require('../convert') as typeof import('../convert'),
  dockerfile: () => require('../dockerfile') as typeof import('../dockerfile'),
  image: () => require('../image') as typeof import('../image'),
  layer: () => require('../layer') as typeof import('../layer'),
  registry: () => require('../registry') as typeof import('../registry'),
  runtime: () => require('../runtime') as typeof import('../runtime'),
  snapshot: () => require('../snapshot') as typeof import('../snapshot'),
};
