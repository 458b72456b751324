import { writeLayer, type WriteLayerOptions } from '../layer/write-layer';
import type { ProgressListener } from '../progress/events';
import type { Lease, Store } from '../store';
import { mapLimit } from '../stream/map-limit';
import { annotated, cachedDependencyLayers, recordDependencyLayers } from './dependency-cache';
import { dependencyKey, lockfilePackages } from './dependency-key';
import { planDependencyLayers } from './dependency-layers';
import type { OmitType } from './install-tree';
import type { NodeProject } from './read-project';
import type { EntryPolicy } from './tree-entries';
import type { PackedLayer } from './types';

export interface DependencyStepOptions {
  store: Store;
  /** the pack's store lease (cached blobs are renewed under it) */
  lease: Lease;
  project: NodeProject;
  omit: OmitType[];
  policy: EntryPolicy;
  stageDir: string;
  /** the resolved base, for native builds */
  base: string;
  platform?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onProgress?: ProgressListener;
  emit: ProgressListener;
}

export interface DependencyStepResult {
  layers: PackedLayer[];
  packages: string[];
  /** locations of the packages whose install scripts ran in the base */
  native: string[];
  /** the layers came from the cache (nothing was installed) */
  cached: boolean;
}

/**
 * The dependency layers: from the cache when the dependency key (lockfile,
 * tree fields, file: sources, options) was packed before on this store, else
 * installed (arborist, loaded only then), written, native builds run in the
 * base, and recorded. Trees with native builds are not recorded: their
 * layer depends on the base too (the builder's own cache covers its RUN).
 */
export async function dependencyStep(o: DependencyStepOptions): Promise<DependencyStepResult> {
  const { store, project, omit, policy, emit } = o;
  const key = dependencyKey(project, omit, policy);
  const hit = key === undefined ? undefined : await cachedDependencyLayers(store, key, o.lease);
  if (hit !== undefined) {
    emit({ type: 'step-start', id: 'pack-dependencies', index: 0, total: 0, name: 'dependency layers (lockfile unchanged)' });
    emit({ type: 'step-cached', id: 'pack-dependencies' });
    return { layers: hit, packages: lockfilePackages(project, omit), native: [], cached: true };
  }
  const t0 = Date.now();
  emit({ type: 'step-start', id: 'pack-install', index: 0, total: 0, name: `install the production tree (npm ci --omit=${omit.join(',')})` });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { installTree } = require('./install-tree') as typeof import('./install-tree');
  const tree = await installTree(project, o.stageDir, { omit, ...(o.signal ? { signal: o.signal } : {}) });
  emit({ type: 'step-done', id: 'pack-install', ms: Date.now() - t0 });
  const t1 = Date.now();
  emit({ type: 'step-start', id: 'pack-dependencies', index: 0, total: 0, name: `${tree.packages.length} packages -> dependency layers` });
  const plan = planDependencyLayers(tree.appDir, tree.linkDirs, policy, o.signal);
  const layerOptions: WriteLayerOptions = { sourceDateEpoch: policy.mtime, ...(o.signal ? { signal: o.signal } : {}) };
  const written = await mapLimit(plan.layers, 2, (l) => writeLayer(store.content, l.entries, layerOptions));
  const layers: PackedLayer[] = plan.layers.map((l, i) => ({
    name: l.name,
    descriptor: annotated(l.name, l.packages, written[i]!.descriptor),
    diffId: written[i]!.diffId,
    ...(l.packages > 0 ? { packages: l.packages } : {}),
  }));
  emit({ type: 'step-done', id: 'pack-dependencies', ms: Date.now() - t1 });
  if (tree.scripted.length > 0) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildNative } = require('./native-build') as typeof import('./native-build');
    const native = await buildNative({
      store, base: o.base, stageDir: o.stageDir, scripted: tree.scripted, policy,
      ...(o.platform ? { platform: o.platform } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.env ? { env: o.env } : {}), ...(o.signal ? { signal: o.signal } : {}),
    });
    layers.push({ name: 'native builds', descriptor: annotated('native builds', undefined, native.descriptor), diffId: native.diffId });
  } else if (key !== undefined) await recordDependencyLayers(store, key, layers);
  return { layers, packages: tree.packages, native: tree.scripted.map((s) => s.location), cached: false };
}
