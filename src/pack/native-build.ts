import { build } from '../build/build';
import type { ProgressListener } from '../progress/events';
import { isHoistError, PackError } from '../errors';
import { resolveImage } from '../image/resolve-image';
import type { Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import { removeImageEntries, type Store } from '../store';
import type { ScriptedPackage } from './install-tree';

export interface NativeBuildOptions {
  store: Store;
  /** the base image reference (in the store by now) */
  base: string;
  platform?: string;
  /** the staging directory whose `app/` holds the installed tree */
  stageDir: string;
  scripted: ScriptedPackage[];
  onProgress?: ProgressListener;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Node's headers next to the image's node (node:*-slim: /usr/local/include/node), so node-gyp downloads nothing. */
const SCRIPT = [
  'set -e',
  'nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"',
  'if [ -f "$nodedir/include/node/node.h" ]; then export npm_config_nodedir="$nodedir"; fi',
  'npm rebuild --foreground-scripts --ignore-scripts=false "$@"',
  'rm -rf /root/.npm /root/.cache /tmp/* /app/node_modules/.package-lock.json.tmp',
].join('\n');

function dockerfile(base: string, names: string[]): string {
  const run = ['sh', '-c', SCRIPT, 'hoist-pack-rebuild', ...names];
  return `FROM ${base}\nCOPY app/ /app/\nWORKDIR /app\nUSER 0:0\nRUN ${JSON.stringify(run)}\n`;
}

/**
 * The install scripts that were not run on the host (native addons), run with
 * the builder inside the base image over the staged tree: `npm rebuild` of
 * those packages, as `npm ci` would have run them. Returns the RUN step's
 * layer (what the scripts changed: build outputs under node_modules), which
 * goes above the dependency layers; the builder's cache makes an unchanged
 * tree reuse it. The base needs npm and a toolchain (python3, make, g++) for
 * node-gyp, as node:N (not -slim) has.
 */
export async function buildNative(o: NativeBuildOptions): Promise<{ descriptor: Descriptor; diffId: Digest }> {
  const names = [...new Set(o.scripted.map((s) => s.name))].sort();
  let res;
  try {
    res = await build(o.store, {
      context: o.stageDir,
      dockerfileText: dockerfile(o.base, names),
      tags: [],
      network: 'host',
      ...(o.platform ? { platform: o.platform } : {}),
      ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      ...(o.env ? { env: o.env } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (err) {
    if (isHoistError(err, 'BUILD_RUN_FAILED')) {
      throw new PackError('PACK_NATIVE_BUILD_FAILED', `building ${names.join(', ')} inside ${o.base} failed (the base needs npm, python3, make and a C++ compiler): ${err.message}`, { packages: names, base: o.base }, { cause: err });
    }
    throw err;
  }
  const image = await resolveImage(o.store, res.imageId);
  await removeImageEntries(o.store.index, image.entry.digest);
  const layers = image.manifest.layers;
  const diffIds = image.config.rootfs.diff_ids;
  return { descriptor: layers[layers.length - 1]!, diffId: diffIds[diffIds.length - 1] as Digest };
}

