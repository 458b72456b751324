import { ConvertError } from '../../errors';
import type { ContainerConfig } from '../../oci/manifest';
import type { ExecUser } from '../user/resolve-user';
import type { IdMap } from '../rootfs/id-map';
import type { LxcCommand } from './lxc-command';
import { encodeLxcCommand, encodeLxcValue } from './lxc-quote';
import { normalizeStopSignal } from './stop-signal';

/** One config line: `key = text`, where `text` is already encoded for LXC's parser. */
export interface LxcConfigLine {
  key: string;
  text: string;
}

export type LxcNetwork = { type: 'empty' } | { type: 'veth'; link: string };

/** A VOLUME kept beside the container: `source` (host dir) bind-mounted at `target` (absolute, in the container). */
export interface LxcVolume {
  source: string;
  target: string;
}

export interface LxcConfigOptions {
  name: string;
  /** `lxc.rootfs.path`: `dir:/…/rootfs` or `overlay:LOWER…:UPPER` */
  rootfsPath: string;
  rootfsOptions?: string;
  command: LxcCommand;
  /** the image's user, resolved in its rootfs (resolveUser) */
  user: ExecUser;
  /** set for an unprivileged container */
  idMap?: IdMap;
  network?: LxcNetwork;
  volumes?: readonly LxcVolume[];
  /** `lxc.arch`, from the image's architecture */
  arch?: string;
  /** where Debian's LXC keeps common.conf and userns.conf */
  configDir?: string;
  /** comment lines at the top (image reference, digest) */
  comments?: readonly string[];
}

/** Image architectures (OCI/Go names) as `lxc.arch` names them. */
const LXC_ARCH: Record<string, string> = { amd64: 'x86_64', '386': 'i686', arm64: 'aarch64', arm: 'armv7l', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function lxcArchOf(goArch: string | undefined): string | undefined {
  return goArch === undefined ? undefined : LXC_ARCH[goArch];
}

/**
 * The LXC config for an image (pure: image config + options -> lines; the
 * writer is `writeLxcConfig`). Each value is encoded so that LXC's own parser
 * gives back exactly what is meant (lxc-quote.ts); what cannot be is refused.
 * docs/lxc.md has the mapping table.
 */
export function toLxcConfig(image: ContainerConfig | undefined, o: LxcConfigOptions): LxcConfigLine[] {
  const configDir = o.configDir ?? '/usr/share/lxc/config';
  const lines: LxcConfigLine[] = [];
  const add = (key: string, value: string, what = key): void => void lines.push({ key, text: encodeLxcValue(value, what) });
  add('lxc.include', `${configDir}/common.conf`);
  if (o.idMap !== undefined) {
    add('lxc.include', `${configDir}/userns.conf`);
    for (const kind of ['u', 'g']) for (const e of o.idMap) add('lxc.idmap', `${kind} ${e.containerId} ${e.hostId} ${e.count}`);
  }
  if (o.arch !== undefined) add('lxc.arch', o.arch);
  add('lxc.rootfs.path', o.rootfsPath);
  if (o.rootfsOptions !== undefined) add('lxc.rootfs.options', o.rootfsOptions);
  add('lxc.uts.name', o.name);
  const net = o.network ?? { type: 'empty' };
  add('lxc.net.0.type', net.type);
  if (net.type === 'veth') {
    add('lxc.net.0.link', net.link);
    add('lxc.net.0.flags', 'up');
  }
  lines.push({ key: o.command.key, text: encodeLxcCommand(o.command.argv) });
  add('lxc.init.uid', String(o.user.uid));
  add('lxc.init.gid', String(o.user.gid));
  if (o.user.additionalGids.length > 0) add('lxc.init.groups', o.user.additionalGids.join(','));
  add('lxc.init.cwd', image?.WorkingDir || '/', 'WorkingDir');
  for (const env of image?.Env ?? []) {
    // `lxc.environment = NAME` (no '=') would copy the host's variable: never from an image.
    if (!/^[^=]+=/.test(env)) continue;
    add('lxc.environment', env, 'environment variable');
  }
  if (image?.StopSignal) add('lxc.signal.halt', normalizeStopSignal(image.StopSignal));
  else if (o.command.mode === 'app') add('lxc.signal.halt', 'SIGTERM');
  add('lxc.signal.stop', 'SIGKILL');
  for (const v of o.volumes ?? []) {
    add('lxc.mount.entry', `${fstabEscape(v.source)} ${fstabEscape(v.target.replace(/^\/+/, ''))} none rbind,create=dir 0 0`, 'volume');
  }
  return lines;
}

/** The config file's text. */
export function renderLxcConfig(lines: readonly LxcConfigLine[], comments: readonly string[] = []): string {
  const head = comments.map((c) => `# ${c.replace(/\n/g, ' ')}\n`).join('');
  return head + lines.map((l) => `${l.key} = ${l.text}\n`).join('');
}

/** fstab fields (getmntent, which LXC reads mount entries with) escape space, tab, newline and backslash in octal. */
export function fstabEscape(s: string): string {
  if (s === '') throw new ConvertError('CONVERT_LXC_UNENCODABLE', 'an empty path cannot be a mount entry field', {});
  return s.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

/** `--network`: `none` (an empty network namespace, the default) or `veth,link=BRIDGE`. */
export function parseLxcNetwork(spec: string): LxcNetwork {
  if (spec === 'none' || spec === 'empty') return { type: 'empty' };
  const [type, ...rest] = spec.split(',');
  const link = rest.find((p) => p.startsWith('link='))?.slice(5);
  if (type !== 'veth' || link === undefined || link === '' || rest.length !== 1 || /\s/.test(link)) {
    throw new ConvertError('CONVERT_LXC_INVALID_NETWORK', `invalid --network ${JSON.stringify(spec)}: expected none or veth,link=BRIDGE`, { network: spec });
  }
  return { type: 'veth', link };
}
