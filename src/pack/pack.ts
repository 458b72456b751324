import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveImage } from '../image/resolve-image';
import { writeImage } from '../image/write-image';
import { writeLayer } from '../layer/write-layer';
import { formatReference, parseReference } from '../oci/reference';
import { emitter } from '../progress/emitter';
import type { Store } from '../store';
import { appFiles, appLayerEntries } from './app-layer';
import { resolvePackBase } from './base-image';
import { annotated } from './dependency-cache';
import { dependencyStep } from './dependency-step';
import { defaultBase } from './default-base';
import { entrypointOf } from './entrypoint';
import { packConfig } from './image-config';
import { readProject } from './read-project';
import { packEpoch } from './source-epoch';
import type { EntryPolicy } from './tree-entries';
import type { PackOptions, PackResult } from './types';

/**
 * `hoist pack`: a Node.js project to an image, no Dockerfile. The lockfile's
 * tree is installed as `npm ci --omit=dev` would (arborist, in a staging
 * directory; skipped when the same tree was packed before on this store),
 * then written as layers over the base: the dependencies (a few buckets,
 * digests that depend only on the tree), native builds (run in the base by
 * the builder), and the app (what `npm pack` would publish). Times, owners
 * and order are fixed, so one project gives one digest. Nothing is tagged
 * unless every step succeeded.
 */
export async function pack(store: Store, options: PackOptions): Promise<PackResult> {
  const t0 = Date.now();
  const emit = emitter(options.onProgress);
  const signal = options.signal;
  const project = readProject(options.dir);
  const tags = options.tags.map((t) => formatReference(parseReference(t)));
  const entrypoint = entrypointOf(project.manifest, options.entrypoint);
  const omit = options.omit ?? ['dev'];
  const lease = await store.lease();
  const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-pack-'));
  try {
    const base = await resolvePackBase(store, options.base ?? defaultBase(project.manifest), { ...options });
    const epoch = await packEpoch(project.lockfile, options.env ?? process.env, signal);
    const policy: EntryPolicy = { uid: 0, gid: 0, mtime: epoch };
    const deps = await dependencyStep({ ...options, store, lease, project, omit, policy, stageDir, base: base.ref, emit });

    const t1 = Date.now();
    emit({ type: 'step-start', id: 'pack-app', index: 0, total: 0, name: 'app files (npm pack) -> app layer' });
    const app = await writeLayer(store.content, appLayerEntries(project, await appFiles(project, store.paths), policy), { sourceDateEpoch: epoch, ...(signal ? { signal } : {}) });
    const layers = [...deps.layers, { name: 'app', descriptor: annotated('app', undefined, app.descriptor), diffId: app.diffId }];
    emit({ type: 'step-done', id: 'pack-app', ms: Date.now() - t1 });

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
    emit({ type: 'build-done', imageId: image.id, tags, ms: Date.now() - t0 });
    return { imageId: image.id, manifestDigest: image.manifest.digest, tags, base: base.ref, layers, packages: deps.packages, native: deps.native, dependenciesCached: deps.cached };
  } finally {
    await fsp.rm(stageDir, { recursive: true, force: true });
    await lease.release();
  }
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
