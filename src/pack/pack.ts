import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveImage } from '../image/resolve-image';
import { writeImage } from '../image/write-image';
import { writeLayer, type WriteLayerOptions } from '../layer/write-layer';
import { mapLimit } from '../stream/map-limit';
import { formatReference, parseReference } from '../oci/reference';
import { emitter } from '../progress/emitter';
import type { Store } from '../store';
import { appFiles, appLayerEntries } from './app-layer';
import { resolvePackBase } from './base-image';
import { defaultBase } from './default-base';
import { planDependencyLayers } from './dependency-layers';
import { entrypointOf } from './entrypoint';
import { packConfig } from './image-config';
import { installTree } from './install-tree';
import { buildNative } from './native-build';
import { readProject } from './read-project';
import { packEpoch } from './source-epoch';
import type { EntryPolicy } from './tree-entries';
import type { PackedLayer, PackOptions, PackResult } from './types';

/**
 * `hoist pack`: a Node.js project to an image, no Dockerfile. The lockfile's
 * tree is installed as `npm ci --omit=dev` would (arborist, in a staging
 * directory), then written as layers over the base: the dependencies (a few
 * buckets, digests that depend only on the tree), native builds (run in the
 * base by the builder), and the app (what `npm pack` would publish). Times,
 * owners and order are fixed, so one project gives one digest. Nothing is
 * tagged unless every step succeeded.
 */
export async function pack(store: Store, options: PackOptions): Promise<PackResult> {
  const emit = emitter(options.onProgress);
  const signal = options.signal;
  const project = readProject(options.dir);
  const tags = options.tags.map((t) => formatReference(parseReference(t)));
  const entrypoint = entrypointOf(project.manifest, options.entrypoint);
  const lease = await store.lease();
  const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-pack-'));
  try {
    const baseName = options.base ?? defaultBase(project.manifest);
    const base = await resolvePackBase(store, baseName, { ...options });
    const epoch = await packEpoch(project.lockfile, options.env ?? process.env, signal);
    const policy: EntryPolicy = { uid: 0, gid: 0, mtime: epoch };
    const layerOptions: WriteLayerOptions = { sourceDateEpoch: epoch, ...(signal ? { signal } : {}) };

    step(emit, 'install', `install the production tree (npm ci --omit=${(options.omit ?? ['dev']).join(',')})`);
    const tree = await installTree(project, stageDir, { omit: options.omit ?? ['dev'], ...(signal ? { signal } : {}) });
    done(emit, 'install');

    step(emit, 'dependencies', `${tree.packages.length} packages -> dependency layers`);
    const plan = planDependencyLayers(tree.appDir, tree.linkDirs, policy, signal);
    const written = await mapLimit(plan.layers, 2, (l) => writeLayer(store.content, l.entries, layerOptions));
    const layers: PackedLayer[] = plan.layers.map((l, i) => ({ name: l.name, descriptor: written[i]!.descriptor, diffId: written[i]!.diffId, ...(l.packages > 0 ? { packages: l.packages } : {}) }));
    done(emit, 'dependencies');

    if (tree.scripted.length > 0) {
      const native = await buildNative({ store, base: base.ref, stageDir, scripted: tree.scripted, policy, ...pick(options) });
      layers.push({ name: 'native builds', descriptor: native.descriptor, diffId: native.diffId });
    }

    step(emit, 'app', 'app files (npm pack) -> app layer');
    const app = await writeLayer(store.content, appLayerEntries(project, await appFiles(project), policy), layerOptions);
    layers.push({ name: 'app', descriptor: app.descriptor, diffId: app.diffId });
    done(emit, 'app');

    const config = packConfig({
      base: base.image.config,
      manifest: project.manifest,
      entrypoint,
      user: options.user ?? '1000',
      layers: layers.map((l) => ({ createdBy: `hoist pack: ${l.name}`, diffId: l.diffId })),
      created: new Date(epoch * 1000).toISOString(),
    });
    const image = await writeImage(store, {
      config,
      layers: [...base.image.manifest.layers, ...layers.map((l) => l.descriptor)],
      tags,
      ...(signal ? { signal } : {}),
    });
    for (const out of options.outputs ?? []) await saveTo(store, tags[0] ?? image.id, out.dest, signal);
    emit({ type: 'build-done', imageId: image.id, tags, ms: 0 });
    return { imageId: image.id, manifestDigest: image.manifest.digest, tags, base: base.ref, layers, packages: tree.packages, native: tree.scripted.map((s) => s.location) };
  } finally {
    await fsp.rm(stageDir, { recursive: true, force: true });
    await lease.release();
  }
}

function pick(o: PackOptions): Pick<PackOptions, 'platform' | 'onProgress' | 'env' | 'signal'> {
  return { ...(o.platform ? { platform: o.platform } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.env ? { env: o.env } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

function step(emit: ReturnType<typeof emitter>, id: string, name: string): void {
  emit({ type: 'step-start', id: `pack-${id}`, index: 0, total: 0, name });
}

function done(emit: ReturnType<typeof emitter>, id: string): void {
  emit({ type: 'step-done', id: `pack-${id}`, ms: 0 });
}

/** A docker-archive that is also an OCI layout (what `hoist save` writes), replaced atomically. */
async function saveTo(store: Store, ref: string, dest: string, signal?: AbortSignal): Promise<void> {
  const image = await resolveImage(store, ref);
  const tmp = `${dest}.tmp-${process.pid}`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { saveArchive } = require('../image/archive/save-archive') as typeof import('../image/archive/save-archive');
    await saveArchive(store, [image], fs.createWriteStream(tmp), signal ? { signal } : {});
    await fsp.rename(tmp, path.resolve(dest));
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}
