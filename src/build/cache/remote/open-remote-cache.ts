import * as path from 'node:path';
import type { ExecContext } from '../../exec/exec-context';
import type { CacheSource } from './cache-source';
import { LocalCacheSource } from './local-cache-source';
import { RegistryCacheSource } from './registry-cache-source';
import { RemoteCache } from './remote-cache';

/** The --cache-from sources of a build, read (manifests and configs only) before its first step. */
export async function openRemoteCache(ctx: ExecContext): Promise<RemoteCache | undefined> {
  const specs = ctx.options.cacheFrom ?? [];
  if (specs.length === 0) return undefined;
  const clientOptions = { env: ctx.options.env ?? process.env, ...(ctx.options.insecureRegistries ? { insecureRegistries: ctx.options.insecureRegistries } : {}) };
  const sources = specs.map((spec, position): { source: CacheSource; position: number } => ({
    position,
    source: spec.type === 'local' ? new LocalCacheSource(path.resolve(spec.src), spec.tag, spec.digest) : new RegistryCacheSource(spec.ref, { clientOptions, onProgress: ctx.emit }),
  }));
  return RemoteCache.open(sources, ctx.emit, ctx.platform, ctx.signal);
}
