import { isHoistError, PackError } from '../errors';
import { resolveImage, type ResolvedImage } from '../image/resolve-image';
import { parsePlatform } from '../oci/platform';
import { formatReference, parseReference } from '../oci/reference';
import type { ProgressListener } from '../progress/events';
import type { Store } from '../store';

export interface BaseImageOptions {
  platform?: string;
  env?: NodeJS.ProcessEnv;
  insecureRegistries?: string[];
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

/** The base image from the store, else pulled from its registry (as a build's FROM). */
export async function resolvePackBase(store: Store, name: string, o: BaseImageOptions): Promise<{ ref: string; image: ResolvedImage }> {
  const ref = formatReference(parseReference(name));
  const platform = o.platform ? parsePlatform(o.platform) : undefined;
  try {
    return { ref, image: await resolveImage(store, ref, platform) };
  } catch (err) {
    if (!isHoistError(err, 'IMAGE_NOT_FOUND')) throw err;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pullImage } = require('../registry') as typeof import('../registry');
  try {
    await pullImage(store, ref, {
      ...(platform ? { platform } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      clientOptions: { env: o.env ?? process.env, ...(o.insecureRegistries ? { insecureRegistries: o.insecureRegistries } : {}) },
    });
  } catch (err) {
    throw new PackError('PACK_BASE_NOT_FOUND', `the base image ${name} is not in the store and pulling it failed: ${(err as Error).message} (give --base)`, { image: name }, { cause: err });
  }
  return { ref, image: await resolveImage(store, ref, platform) };
}
