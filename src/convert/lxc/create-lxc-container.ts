import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError, isErrno } from '../../errors';
import type { ApplyWarning } from '../../layer/apply/apply-types';
import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import type { Snapshotter } from '../../snapshot/types';
import { withMount } from '../../snapshot/mount';
import { recordLayerUse, type LayerUse } from '../../store/layer-use';
import { runChecked } from '../../sys/run-process';
import type { Store } from '../../store/store';
import { resolveInRoot } from '../read-in-root';
import { resolveUser, type ExecUser } from '../user/resolve-user';
import { applyImageRootfs } from '../rootfs/apply-image-rootfs';
import { mapId, type IdMap } from '../rootfs/id-map';
import { lxcOverlayPath, overlayMount, overlayRootfs } from '../rootfs/overlay-rootfs';
import { writeFileInRoot } from '../rootfs/write-in-root';
import { checkLxcpathReachable } from './check-lxcpath';
import { chooseLxcCommand, type LxcCommand, type LxcMode } from './lxc-command';
import { lxcArchOf, renderLxcConfig, toLxcConfig, type LxcNetwork, type LxcVolume } from './lxc-config';
import { encodeLxcCommand } from './lxc-quote';
import { honoursInitGroupsInUserns, installedLxcVersion } from './lxc-version';
import { systemFiles, volumeDirName } from './system-files';

export interface CreateLxcOptions {
  name: string;
  /** LXC's lxcpath (default /var/lib/lxc) */
  lxcpath: string;
  rootfs: 'copy' | 'overlay';
  /** default: system when the image's command is an init, else app */
  mode?: LxcMode;
  /** unprivileged: shift the rootfs through this map and write lxc.idmap lines */
  idMap?: IdMap;
  network?: LxcNetwork;
  /** replace an existing container of that name */
  force?: boolean;
  /** the store's snapshotter (overlay rootfs: the store's unpacked layers) */
  snapshotter?: Snapshotter;
  /** named in the config's comments */
  reference?: string;
  signal?: AbortSignal;
  onWarning?: (w: LxcWarning) => void;
}

/** What the rootfs apply skipped, or what LXC will not do as the config asks. */
export interface LxcWarning {
  code: ApplyWarning['code'] | 'init-groups-ignored';
  path: string;
  message: string;
}

export interface CreateLxcResult {
  dir: string;
  configPath: string;
  config: string;
  command: LxcCommand;
  user: ExecUser;
  volumes: LxcVolume[];
  warnings: LxcWarning[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Write `LXCPATH/NAME/{config,rootfs}` (+ `volumes/`, and `olwork/` for an
 * overlay rootfs) for an image. Everything is built in a temp dir beside it
 * and renamed into place at the end, so a failure leaves no container.
 * Steps: check name, command and config (cheap, before any copy), and for
 * an unprivileged container that its root can reach the lxcpath; rootfs
 * (copy: layers applied, shifted when unprivileged; overlay: the store's
 * layers + an upper dir); in the rootfs view: the user (passwd/group read only
 * inside it), /etc/hostname, /etc/hosts, /etc/resolv.conf, volumes seeded from
 * the image; the config (toLxcConfig); rename. An overlay container has a
 * layer use in the store (before its layers are unpacked; committed after the
 * rename): prune keeps its layers while the container's directory exists.
 */
export async function createLxcContainer(
  store: Store,
  image: { manifest: ImageManifest; config: ImageConfig },
  o: CreateLxcOptions,
): Promise<CreateLxcResult> {
  if (!NAME.test(o.name) || o.name.length > 200) {
    throw new ConvertError('CONVERT_LXC_INVALID_NAME', `invalid container name ${JSON.stringify(o.name)}`, { name: o.name });
  }
  if (o.idMap !== undefined && o.rootfs === 'overlay') {
    throw new ConvertError(
      'CONVERT_LXC_OVERLAY_UNPRIVILEGED',
      "--rootfs overlay cannot be --unprivileged: its lowerdirs are the store's unpacked layers, owned by host ids and shared by every image; shifting them would change the store, and unshifted the container would see every file as nobody. Use --rootfs copy",
      {},
    );
  }
  const lxcpath = path.resolve(o.lxcpath);
  const dir = path.join(lxcpath, o.name);
  if (!o.force && (await exists(dir))) {
    throw new ConvertError('CONVERT_LXC_EXISTS', `container ${o.name} already exists in ${lxcpath} (use --force to replace it)`, { name: o.name, lxcpath });
  }
  const cc = image.config.config;
  const root = { uid: mapId(o.idMap ?? [], 0) ?? 0, gid: mapId(o.idMap ?? [], 0) ?? 0 };
  const early = chooseLxcCommand(cc, o.mode, true); // fails fast on no command; NO_INIT needs the rootfs
  encodeLxcCommand(early.argv);
  if (o.idMap !== undefined) await checkLxcpathReachable(lxcpath, root, o.signal);
  await makeSearchable(lxcpath);
  const tmp = await fs.mkdtemp(path.join(lxcpath, `.${o.name}.hoist-`));
  let use: LayerUse | undefined;
  try {
    await fs.chmod(tmp, 0o755);
    const warnings: LxcWarning[] = [];
    const onWarning = (w: LxcWarning): void => void (warnings.push(w), o.onWarning?.(w));
    let rootfsPath: string;
    let rootfsOptions: string | undefined;
    let view: <T>(fn: (rootfs: string) => Promise<T>) => Promise<T>;
    if (o.rootfs === 'copy') {
      await applyImageRootfs(store, image, path.join(tmp, 'rootfs'), { ...(o.idMap ? { idMap: o.idMap } : {}), ...(o.signal ? { signal: o.signal } : {}), onWarning });
      rootfsPath = `dir:${path.join(dir, 'rootfs')}`;
      view = (fn) => fn(path.join(tmp, 'rootfs'));
    } else {
      if (o.snapshotter === undefined) throw new Error('overlay rootfs needs the store snapshotter');
      // the container's lowerdirs are the store's layers: prune keeps them while DIR exists
      use = await recordLayerUse(store.paths, dir, 'lxc', image);
      await fs.mkdir(path.join(tmp, 'rootfs'), { mode: 0o755 });
      await fs.mkdir(path.join(tmp, 'olwork'), { mode: 0o700 });
      const build = await overlayRootfs(store, o.snapshotter, image, { upperdir: path.join(tmp, 'rootfs'), workdir: path.join(tmp, 'olwork') }, o.signal);
      const final = { ...build, upperdir: path.join(dir, 'rootfs'), workdir: path.join(dir, 'olwork') };
      rootfsPath = lxcOverlayPath(final);
      rootfsOptions = build.options.join(',');
      view = (fn) => withMount([overlayMount(build)], fn);
    }
    const prepared = await view(async (rootfs) => {
      const command = chooseLxcCommand(cc, o.mode, await isFile(rootfs, '/sbin/init'));
      const user = resolveUser(rootfs, cc?.User);
      const hostResolv = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => undefined);
      const files = systemFiles(o.name, hostResolv, (o.network?.type ?? 'empty') !== 'empty');
      for (const [p, text] of Object.entries(files)) writeFileInRoot(rootfs, p, text, root);
      const volumes = await seedVolumes(rootfs, tmp, dir, Object.keys(cc?.Volumes ?? {}), root);
      return { command, user, volumes };
    });
    if (o.idMap !== undefined) await warnIfGroupsIgnored(prepared.user, onWarning, o.signal);
    const lines = toLxcConfig(cc, {
      name: o.name,
      rootfsPath,
      ...(rootfsOptions !== undefined ? { rootfsOptions } : {}),
      command: prepared.command,
      user: prepared.user,
      ...(o.idMap ? { idMap: o.idMap } : {}),
      ...(o.network ? { network: o.network } : {}),
      volumes: prepared.volumes,
      ...(lxcArchOf(image.config.architecture) ? { arch: lxcArchOf(image.config.architecture)! } : {}),
    });
    const config = renderLxcConfig(lines, [`written by hoist lxc${o.reference ? ` from ${o.reference}` : ''}`, `image ${image.manifest.config.digest}`]);
    await fs.writeFile(path.join(tmp, 'config'), config, { mode: 0o644 });
    if (o.force) await fs.rm(dir, { recursive: true, force: true });
    await fs.rename(tmp, dir);
    await use?.commit();
    return { dir, configPath: path.join(dir, 'config'), config, command: prepared.command, user: prepared.user, volumes: prepared.volumes, warnings };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    await use?.release().catch(() => undefined);
    throw err;
  }
}

/** LXC before 6.0.6 drops every supplementary group in a user namespace, whatever lxc.init.groups says. */
async function warnIfGroupsIgnored(user: ExecUser, onWarning: (w: LxcWarning) => void, signal?: AbortSignal): Promise<void> {
  const extra = user.additionalGids.filter((g) => g !== user.gid);
  if (extra.length === 0) return;
  const version = await installedLxcVersion(signal);
  if (version === undefined || honoursInitGroupsInUserns(version)) return;
  onWarning({
    code: 'init-groups-ignored',
    path: '/etc/group',
    message: `LXC ${version.join('.')} ignores lxc.init.groups in an unprivileged container (fixed in LXC 6.0.6): the process will not hold its supplementary groups ${extra.join(',')}, which docker gives it`,
  });
}

/**
 * Each VOLUME becomes `volumes/<name>` beside the container, seeded (as
 * docker seeds a new volume) with what the image has at that path, owners
 * and xattrs kept (`cp -a`), and bind-mounted there by `lxc.mount.entry`.
 */
async function seedVolumes(rootfs: string, tmp: string, dir: string, targets: string[], owner: { uid: number; gid: number }): Promise<LxcVolume[]> {
  const out: LxcVolume[] = [];
  for (const raw of targets.sort()) {
    const target = path.posix.resolve('/', raw);
    if (target === '/') continue;
    const name = volumeDirName(target);
    const src = path.join(tmp, 'volumes', name);
    await fs.mkdir(path.dirname(src), { recursive: true, mode: 0o755 });
    const inImage = resolveInRoot(rootfs, target);
    if (await isDir(inImage)) await runChecked(['cp', '-a', '--', inImage, src]);
    else {
      await fs.mkdir(src, { mode: 0o755 });
      await fs.chown(src, owner.uid, owner.gid);
    }
    out.push({ source: path.join(dir, 'volumes', name), target });
  }
  return out;
}

/** mkdir -p LXCPATH, each new directory 0755 whatever the umask (a container's root must search it). */
async function makeSearchable(lxcpath: string): Promise<void> {
  const first = await fs.mkdir(lxcpath, { recursive: true, mode: 0o755 });
  if (first === undefined) return;
  for (let d = lxcpath; ; d = path.dirname(d)) {
    await fs.chmod(d, 0o755);
    if (d === first || d === path.dirname(d)) break;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

async function isDir(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(root: string, p: string): Promise<boolean> {
  return (await fs.stat(resolveInRoot(root, p)).catch(() => undefined))?.isFile() ?? false;
}
