import { ConvertError } from '../../errors';
import type { NamespaceType, SpecOpt } from './types';

export type NetworkMode = 'none' | 'host';

function dropNamespace(type: NamespaceType): SpecOpt {
  return (spec) => {
    spec.linux.namespaces = spec.linux.namespaces.filter((n) => n.type !== type);
  };
}

function addNamespace(type: NamespaceType): SpecOpt {
  return (spec) => {
    if (!spec.linux.namespaces.some((n) => n.type === type)) spec.linux.namespaces.push({ type });
  };
}

export function withHostname(hostname: string): SpecOpt {
  return (spec) => {
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(hostname)) {
      throw new ConvertError('CONVERT_BUNDLE_HOSTNAME_INVALID', `invalid hostname ${JSON.stringify(hostname)}`, { hostname });
    }
    spec.hostname = hostname;
  };
}

/**
 * `none`: a network namespace of its own (runc brings up only loopback);
 * `host`: the host's network namespace, as docker's `--network host`.
 */
export function withNetwork(mode: NetworkMode): SpecOpt {
  return mode === 'host' ? dropNamespace('network') : addNamespace('network');
}

/**
 * A spec an unprivileged user can run (runc's `ToRootless`): a user
 * namespace mapping container root to the invoking user (one id each way),
 * no cgroup resources, no `gid=` on devpts (only the one gid is mapped), /sys
 * bound from the host (sysfs cannot be mounted without owning a network
 * namespace of the host), no supplementary groups (setgroups is denied).
 * The process must run as root inside: other ids are not mapped.
 */
export function withRootless(ids: { uid: number; gid: number }): SpecOpt {
  return (spec) => {
    const { uid, gid } = spec.process.user;
    if (uid !== 0 || gid !== 0) {
      throw new ConvertError(
        'CONVERT_BUNDLE_ROOTLESS_USER',
        `a rootless bundle maps only the invoking user (root inside); the image's user ${uid}:${gid} is not mapped`,
        { uid, gid },
      );
    }
    delete spec.process.user.additionalGids;
    addNamespace('user')(spec);
    spec.linux.uidMappings = [{ containerID: 0, hostID: ids.uid, size: 1 }];
    spec.linux.gidMappings = [{ containerID: 0, hostID: ids.gid, size: 1 }];
    delete spec.linux.resources;
    spec.mounts = spec.mounts
      .filter((m) => m.type !== 'cgroup')
      .map((m) => {
        if (m.destination === '/sys') return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] };
        if (m.type === 'devpts') return { ...m, options: (m.options ?? []).filter((o) => !o.startsWith('gid=')) };
        return m;
      });
  };
}

export function withAnnotations(annotations: Record<string, string>): SpecOpt {
  return (spec) => {
    if (Object.keys(annotations).length === 0) return;
    spec.annotations = { ...(spec.annotations ?? {}), ...annotations };
  };
}
