import * as path from 'node:path';
import { ConvertError } from '../../errors';
import type { SpecMount, SpecOpt } from './types';

/** A host directory or file shown in the container (`-v SRC:DST[:ro]`). */
export interface BindMount {
  /** absolute, or relative to the bundle directory */
  source: string;
  destination: string;
  readonly?: boolean;
}

/** The bundle-relative directory that holds the data of the VOLUME at `destination`. */
export function volumeSource(destination: string): string {
  return `volumes/${encodeURIComponent(path.posix.resolve('/', destination))}`;
}

function bind(m: BindMount): SpecMount {
  return { destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.readonly ? 'ro' : 'rw', 'rprivate'] };
}

/** Replace any mount at the same destination, else append (later mounts win, as docker's -v over VOLUME). */
function putMount(mounts: SpecMount[], m: SpecMount): void {
  const i = mounts.findIndex((x) => x.destination === m.destination);
  if (i >= 0) mounts.splice(i, 1);
  mounts.push(m);
}

/**
 * The rootfs as the first mount, at `/` (an overlay of the store's layers that
 * the runtime mounts on `root.path` in the container's own mount namespace:
 * it ends with the container, and nothing is left mounted on the host).
 */
export function withRootfsMount(m: { type: string; source: string; options: string[] }): SpecOpt {
  return (spec) => {
    spec.mounts.unshift({ destination: '/', type: m.type, source: m.source, options: [...m.options] });
  };
}

/**
 * The image's VOLUMEs as bind mounts of directories under the bundle
 * (`volumes/<escaped path>`), so their data outlives the process and a
 * second run of the same bundle sees it (not tmpfs, as umoci writes).
 */
export function withVolumes(destinations: readonly string[]): SpecOpt {
  return (spec) => {
    for (const d of [...destinations].sort()) {
      const destination = path.posix.resolve('/', d);
      if (destination === '/') throw new ConvertError('CONVERT_BUNDLE_MOUNT_INVALID', 'a VOLUME cannot be /', { destination: d });
      putMount(spec.mounts, bind({ source: volumeSource(destination), destination }));
    }
  };
}

/** Bind mounts asked for on the command line (`-v`), after everything else. */
export function withBindMounts(binds: readonly BindMount[]): SpecOpt {
  return (spec) => {
    for (const b of binds) {
      if (!b.destination.startsWith('/') || path.posix.resolve(b.destination) === '/') {
        throw new ConvertError('CONVERT_BUNDLE_MOUNT_INVALID', `invalid mount destination ${JSON.stringify(b.destination)}: must be an absolute path other than /`, {
          destination: b.destination,
        });
      }
      putMount(spec.mounts, bind({ ...b, destination: path.posix.resolve(b.destination) }));
    }
  };
}

/** Where the bundle keeps the files docker bind-mounts into /etc (relative to the bundle). */
export interface EtcFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
}

/** /etc/hosts, /etc/resolv.conf, /etc/hostname as bind mounts of per-container files (docker's way). */
export function withEtcFiles(files: EtcFiles): SpecOpt {
  return (spec) => {
    const add = (destination: string, source: string | undefined): void => {
      if (source !== undefined) putMount(spec.mounts, { destination, type: 'bind', source, options: ['rbind', 'rprivate'] });
    };
    add('/etc/resolv.conf', files.resolvConf);
    add('/etc/hostname', files.hostname);
    add('/etc/hosts', files.hosts);
  };
}

/**
 * Parse docker's `-v SRC:DST[:ro|rw]` (bind mounts only: SRC must be an
 * absolute host path; named volumes are not supported).
 */
export function parseBindSpec(spec: string, cwd = '/'): BindMount {
  const parts = spec.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  if (parts.length < 2 || parts.length > 3 || (mode !== undefined && mode !== 'ro' && mode !== 'rw') || parts[0] === '' || parts[1] === '') {
    throw new ConvertError('CONVERT_BUNDLE_MOUNT_INVALID', `invalid volume specification ${JSON.stringify(spec)}: want SRC:DST[:ro]`, { spec });
  }
  const [src, dst] = parts as [string, string];
  if (!src.startsWith('/') && !src.startsWith('.')) {
    throw new ConvertError('CONVERT_BUNDLE_MOUNT_INVALID', `named volumes are not supported (${JSON.stringify(src)}): give a host path`, { spec });
  }
  return { source: path.resolve(cwd, src), destination: dst, readonly: mode === 'ro' };
}
