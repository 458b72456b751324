import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { build } from '../build/build';
import { applyLayer } from '../layer/apply/apply-layer';
import { sortEntries, type PackEntry } from '../layer/diff/pack-entry';
import { writeLayer, type LayerWriteResult } from '../layer/write-layer';
import type { ProgressListener } from '../progress/events';
import { isHoistError, PackError } from '../errors';
import { resolveImage } from '../image/resolve-image';
import type { Descriptor } from '../oci/descriptor';
import { removeImageEntries, type Store } from '../store';
import type { ScriptedPackage } from './install-tree';
import { parentEntries, walkEntries, type EntryPolicy } from './tree-entries';

export interface NativeBuildOptions {
  store: Store;
  /** the base image reference (in the store by now) */
  base: string;
  platform?: string;
  /** the staging directory whose `app/` holds the installed tree */
  stageDir: string;
  scripted: ScriptedPackage[];
  policy: EntryPolicy;
  onProgress?: ProgressListener;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Node's headers next to the image's node (node:*-slim: /usr/local/include/node), so node-gyp downloads nothing. */
const SCRIPT = [
  'set -e',
  'nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"',
  'if [ -f "$nodedir/include/node/node.h" ]; then export npm_config_nodedir="$nodedir"; fi',
  'export PYTHONDONTWRITEBYTECODE=1',
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
 * those packages, as `npm ci` would have run them. Returns a layer of what
 * the scripts wrote into those packages (build outputs), which goes above the
 * dependency layers; the builder's cache makes an unchanged tree reuse its
 * RUN step. The base needs npm and a toolchain (python3, make, g++) for
 * node-gyp, as node:N (not -slim) has.
 */
export async function buildNative(o: NativeBuildOptions): Promise<LayerWriteResult> {
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
      throw new PackError('PACK_NATIVE_BUILD_FAILED', `building ${names.join(', ')} inside ${o.base} failed (the base needs npm, python3, make and a C++ compiler): ${err.message.replace(/process "[\s\S]*?" did not complete/, 'npm rebuild did not complete')}`, { packages: names, base: o.base }, { cause: err });
    }
    throw err;
  }
  const image = await resolveImage(o.store, res.imageId);
  await removeImageEntries(o.store.index, image.entry.digest);
  const run = image.manifest.layers[image.manifest.layers.length - 1]!;
  return packageChanges(o, run);
}

/**
 * What the scripts added under the rebuilt packages' directories (build
 * outputs), from the RUN layer, as a layer with pack's fixed owner, times and
 * modes: the rest of what RUN touched (caches, parent directories) is left out.
 */
async function packageChanges(o: NativeBuildOptions, run: Descriptor): Promise<LayerWriteResult> {
  const dir = await fsp.mkdtemp(path.join(o.stageDir, 'native-'));
  try {
    await applyLayer(await o.store.content.open(run), dir, { whiteouts: 'delete', ...(o.signal ? { signal: o.signal } : {}) });
    const appDir = path.join(dir, 'app');
    const entries = new Map<string, PackEntry>();
    for (const location of [...new Set(o.scripted.map((s) => s.location))].sort()) {
      if (!fs.existsSync(path.join(appDir, location))) continue;
      for (const e of [...parentEntries(appDir, 'app', location, o.policy), ...walkEntries(path.join(appDir, location), `app/${location}`, o.policy, o.signal)]) entries.set(e.name, e);
    }
    return await writeLayer(o.store.content, sortEntries([...entries.values()]), { sourceDateEpoch: o.policy.mtime, ...(o.signal ? { signal: o.signal } : {}) });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
