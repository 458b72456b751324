import type { StorePaths } from '../store/store-paths';
import { CopySnapshotter } from './copy-snapshotter';
import type { Snapshotter } from './types';
import { isOverlaySupported } from './mount';
import { OverlaySnapshotter } from './overlay-snapshotter';

/**
 * The snapshotter for a store on this host: overlay where it can mount
 * (root and overlayfs), else the copy-based fallback. `HOIST_SNAPSHOTTER`
 * (`overlay` | `copy`) overrides.
 */
export async function selectSnapshotter(paths: StorePaths, env: NodeJS.ProcessEnv = process.env): Promise<Snapshotter> {
  const wanted = env.HOIST_SNAPSHOTTER;
  if (wanted === 'copy') return new CopySnapshotter(paths);
  if (wanted === 'overlay' || (await isOverlaySupported())) return new OverlaySnapshotter(paths);
  return new CopySnapshotter(paths);
}
