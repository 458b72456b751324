import * as fsSync from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError, isErrno } from '../../errors';
import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import { copyTree } from '../../snapshot/copy-snapshotter';
import type { Snapshotter } from '../../snapshot/types';
import { unpackImage } from '../../snapshot/unpack-image';
import { recordLayerUse, releaseLayerUse } from '../../store/layer-use';
import type { Store } from '../../store/store';
import { readFileInLayers } from '../read-in-layers';
import { resolveInRoot } from '../read-in-root';
import { resolveUser } from '../user/resolve-user';
import { renderEtcFiles } from '../runtime-spec/etc-files';
import { volumeSource, withRootfsMount } from '../runtime-spec/spec-opts-mounts';
import { toRuntimeSpec, type RuntimeSpecOptions } from '../runtime-spec/to-runtime-spec';
import type { RuntimeSpec } from '../runtime-spec/types';
import { validateRuntimeSpec } from '../runtime-spec/validate-spec';
import { populateRootfs, type RootfsKind } from './bundle-rootfs';
import { ensureInitLayer } from './init-layer';
import { isNonEmptyDir, removeBundle } from './remove-bundle';

export interface BundleOptions {
  /** default: overlay where the store's snapshotter is overlay, else copy */
  rootfs?: RootfsKind;
  /** replace an existing non-empty DIR (unmounting its rootfs first) */
  force?: boolean;
  /** a user spec over the image's User (`-u`): name, uid, name:group, uid:gid */
  user?: string;
  /** docker's `--group-add`: more groups (names or gids from the image's /etc/group) for the process */
  groupAdd?: string[];
  /** what else goes into the spec (everything but the user and /etc files, which the writer fills in) */
  spec?: Omit<RuntimeSpecOptions, 'user' | 'etcFiles'>;
  /**
   * The bundle lives only as long as the one container this process runs in it
   * (`hoist run --rm`): its overlay is mounted `volatile` (overlayfs skips every
   * sync of the upper dir, so the unmount writes nothing back) and its layer-use
   * record is not synced. Never for a bundle that outlives the process.
   */
  ephemeral?: boolean;
  /**
   * Leave an overlay rootfs to the runtime: config.json mounts it at `/`, so
   * runc mounts it in the container's own mount namespace, where it ends with
   * the container (nothing to unmount afterwards, nothing left mounted on the
   * host when this process is killed); the user is read from the layers
   * (`readFileInLayers`). For a bundle run by runc, not one that shows DIR/rootfs
   * (`hoist bundle`); an image with VOLUMEs is still mounted here (its volumes
   * are seeded from the mounted tree), and so is one whose overlay options pass
   * a page (here its lowerdirs are shortened; runc would hand them to mount(2) whole).
   */
  runtimeMountsRootfs?: boolean;
  /**
   * Where the store keeps its init layer (made there on first use,
   * `ensureInitLayer`): an overlay rootfs gets it over the image's layers, so
   * runc finds its mountpoints and the container's upper dir stays empty.
   */
  initLayerDir?: string;
  /** the host's /etc/hosts and /etc/resolv.conf (default: read from the host) */
  hostFiles?: { hosts?: string; resolvConf?: string };
  signal?: AbortSignal;
}

export interface Bundle {
  dir: string;
  rootfs: RootfsKind;
  spec: RuntimeSpec;
  /** the rootfs is an overlay mounted by this process (unmount it: `removeBundle`, `unmountAt`) */
  mounted: boolean;
}

/**
 * The bundle's small files (a few KB: the host's /etc files, config.json) are
 * read and written in synchronous calls: each asynchronous one is a round
 * trip through libuv's thread pool (open, stat, read or write, close: 3-4
 * each) that a loaded machine lengthens, and nothing else runs meanwhile.
 */
function readHostFile(file: string): string | undefined {
  try {
    return fsSync.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** VOLUME directories under the bundle, seeded with the image's content at that path (docker's copy-up). */
async function makeVolumes(dir: string, rootfs: string, config: ImageConfig, signal?: AbortSignal): Promise<void> {
  for (const dest of Object.keys(config.config?.Volumes ?? {})) {
    const target = path.join(dir, volumeSource(dest));
    await fs.mkdir(target, { recursive: true, mode: 0o755 });
    const inImage = resolveInRoot(rootfs, dest);
    const st = await fs.lstat(inImage).catch(() => undefined);
    if (st?.isDirectory()) await copyTree(inImage, target, signal);
  }
}

/**
 * Writes an OCI runtime bundle that `runc run` runs unchanged:
 *
 *  1. refuse a non-empty DIR (CONVERT_BUNDLE_EXISTS) unless `force`;
 *  2. unpack the image's layers into the store (each once, by chainID);
 *  3. DIR/rootfs: an overlay of the unpacked layers with DIR/upper + DIR/work
 *     (left mounted), or a copy;
 *  4. resolve the user in the rootfs's own /etc/passwd and /etc/group;
 *  5. DIR/volumes/* (seeded from the image), DIR/{hosts,resolv.conf,hostname};
 *  6. DIR/config.json from `toRuntimeSpec`, validated.
 *
 * An overlay bundle has a layer use in the store (recorded, naming DIR, before
 * step 2): prune keeps its layers while DIR exists.
 *
 * Any failure removes what was made (unmounting first). Clean up a bundle
 * with `removeBundle(DIR)` (or `umount DIR/rootfs && rm -rf DIR`).
 */
export async function writeBundle(
  store: Store,
  snapshotter: Snapshotter,
  image: { manifest: ImageManifest; config: ImageConfig },
  dir: string,
  options: BundleOptions = {},
): Promise<Bundle> {
  dir = path.resolve(dir);
  if (isNonEmptyDir(dir)) {
    if (!options.force) throw new ConvertError('CONVERT_BUNDLE_EXISTS', `bundle directory ${dir} exists and is not empty (use --force to replace it)`, { dir });
    await removeBundle(dir);
    await releaseLayerUse(store.paths, dir);
  }
  fsSync.mkdirSync(dir, { recursive: true, mode: 0o711 });
  const kind = options.rootfs ?? (snapshotter.name === 'overlay' ? 'overlay' : 'copy');
  // an overlay rootfs mounts the store's layers: prune must keep them while DIR exists
  const ephemeral = options.ephemeral === true;
  const use = kind === 'overlay' ? await recordLayerUse(store.paths, dir, 'bundle', image, { dirReady: true, durable: !ephemeral }) : undefined;
  try {
    const { chainIds } = await unpackImage(store, snapshotter, image, options.signal ? { signal: options.signal } : {});
    // VOLUMEs are seeded from the image's tree at their path: that needs the rootfs mounted here
    const leaveToRuntime = options.runtimeMountsRootfs === true && Object.keys(image.config.config?.Volumes ?? {}).length === 0;
    const signal = options.signal ? { signal: options.signal } : {};
    const initLayer = options.initLayerDir !== undefined && kind === 'overlay' ? { initLayer: ensureInitLayer(options.initLayerDir) } : {};
    const left = await populateRootfs(snapshotter, chainIds[chainIds.length - 1], dir, kind, { volatile: ephemeral, leaveToRuntime, ...initLayer, ...signal });
    const rootfs = path.join(dir, 'rootfs');
    const source = left === undefined ? rootfs : (p: string) => readFileInLayers(left.lowerdirs, p);
    const user = resolveUser(source, options.user ?? image.config.config?.User, { groupAdd: options.groupAdd ?? [] });
    if (left === undefined) await makeVolumes(dir, rootfs, image.config, options.signal);
    const network = options.spec?.network ?? 'none';
    const hostname = options.spec?.hostname ?? 'hoist';
    const etc = renderEtcFiles({
      hostname,
      network,
      hostHosts: options.hostFiles?.hosts ?? readHostFile('/etc/hosts'),
      hostResolvConf: options.hostFiles?.resolvConf ?? readHostFile('/etc/resolv.conf'),
    });
    fsSync.writeFileSync(path.join(dir, 'hosts'), etc.hosts, { mode: 0o644 });
    fsSync.writeFileSync(path.join(dir, 'resolv.conf'), etc.resolvConf, { mode: 0o644 });
    fsSync.writeFileSync(path.join(dir, 'hostname'), etc.hostname, { mode: 0o644 });
    const spec = toRuntimeSpec(image.config, {
      ...options.spec,
      hostname,
      user,
      etcFiles: { hosts: 'hosts', resolvConf: 'resolv.conf', hostname: 'hostname' },
      ...(left !== undefined ? { extra: [...(options.spec?.extra ?? []), withRootfsMount(left.mount)] } : {}),
    });
    validateRuntimeSpec(spec);
    fsSync.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o644 });
    return { dir, rootfs: kind, spec, mounted: kind === 'overlay' && left === undefined && chainIds.length > 0 };
  } catch (err) {
    await removeBundle(dir).catch(() => undefined);
    await use?.release().catch(() => undefined);
    throw err;
  }
}
