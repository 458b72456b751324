import { BuildError, isHoistError } from '../../errors';
import type { ExecContext } from '../exec/exec-context';

/**
 * `hoist build --push`: each tag pushed to its registry once the image is
 * written (HEAD first, so layers a cache export or an earlier push already
 * uploaded are not sent again; mounts from repositories of the same registry).
 */
export async function pushTags(ctx: ExecContext, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) throw new BuildError('BUILD_OUTPUT_INVALID', '--push needs a name: -t REGISTRY/REPOSITORY[:TAG]', {});
  const { pushImage } = require('../../registry') as typeof import('../../registry'); // eslint-disable-line @typescript-eslint/no-require-imports
  await ctx.earlyPush?.settle();
  for (const tag of tags) {
    const id = `push-${tag}`;
    const t0 = Date.now();
    ctx.emit({ type: 'step-start', id, index: 1, total: 1, name: `pushing ${tag}` });
    try {
      await pushImage(ctx.store, tag, undefined, {
        ...(ctx.signal ? { signal: ctx.signal } : {}),
        onProgress: ctx.emit,
        clientOptions: { env: ctx.options.env ?? process.env, ...(ctx.options.insecureRegistries ? { insecureRegistries: ctx.options.insecureRegistries } : {}) },
      });
    } catch (err) {
      ctx.emit({ type: 'step-error', id, code: isHoistError(err) ? err.code : 'INTERNAL', message: (err as Error).message });
      throw err;
    }
    ctx.emit({ type: 'step-done', id, ms: Date.now() - t0 });
  }
}
