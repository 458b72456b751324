import { ConvertError } from '../../errors';

/** One range of an id map: container ids [containerId, containerId+count) are host ids [hostId, ...). */
export interface IdMapEntry {
  containerId: number;
  hostId: number;
  count: number;
}

/** An id map, applied alike to uids and gids (LXC's `lxc.idmap = u …` and `g …` lines). */
export type IdMap = readonly IdMapEntry[];

/** The map `--unprivileged` uses when no `--idmap` is given (Debian's subuid/subgid convention for root). */
export const DEFAULT_ID_MAP: IdMap = [{ containerId: 0, hostId: 100000, count: 65536 }];

const MAX_ID = 2 ** 32 - 1;

function invalid(spec: string, why: string): ConvertError {
  return new ConvertError('CONVERT_LXC_INVALID_IDMAP', `invalid id map ${JSON.stringify(spec)}: ${why}`, { idmap: spec });
}

/** Parse `CONTAINER_ID:HOST_ID:COUNT`. */
export function parseIdMapEntry(spec: string): IdMapEntry {
  const m = /^(\d+):(\d+):(\d+)$/.exec(spec.trim());
  if (!m) throw invalid(spec, 'expected CONTAINER_ID:HOST_ID:COUNT');
  const [containerId, hostId, count] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (count < 1) throw invalid(spec, 'COUNT must be at least 1');
  if (containerId + count - 1 > MAX_ID || hostId + count - 1 > MAX_ID) throw invalid(spec, 'the range passes 2^32-1');
  return { containerId, hostId, count };
}

/** Checks that ranges do not overlap (on either side) and that container root is mapped. */
export function validateIdMap(map: IdMap): IdMap {
  const spec = map.map((e) => `${e.containerId}:${e.hostId}:${e.count}`).join(',');
  if (map.length === 0) throw invalid(spec, 'it is empty');
  const overlaps = (a: number, an: number, b: number, bn: number): boolean => a < b + bn && b < a + an;
  for (const [i, a] of map.entries()) {
    for (const b of map.slice(i + 1)) {
      if (overlaps(a.containerId, a.count, b.containerId, b.count)) throw invalid(spec, 'container ranges overlap');
      if (overlaps(a.hostId, a.count, b.hostId, b.count)) throw invalid(spec, 'host ranges overlap');
    }
  }
  if (mapId(map, 0) === undefined) throw invalid(spec, 'container root (id 0) is not mapped');
  return map;
}

/** The host id of a container id; undefined when the map does not cover it. */
export function mapId(map: IdMap, id: number): number | undefined {
  for (const e of map) if (id >= e.containerId && id < e.containerId + e.count) return e.hostId + (id - e.containerId);
  return undefined;
}

/** The host id of a container id; CONVERT_ROOTFS_UNMAPPED_ID when not covered (no ownership is ever lost). */
export function shiftId(map: IdMap, id: number, what: 'uid' | 'gid', path: string): number {
  const host = mapId(map, id);
  if (host === undefined) {
    throw new ConvertError(
      'CONVERT_ROOTFS_UNMAPPED_ID',
      `${path} in the image is owned by ${what} ${id}, which the id map does not cover; widen --idmap`,
      { path, [what]: id },
    );
  }
  return host;
}

const VFS_CAP_REVISION_MASK = 0xff000000;
const VFS_CAP_REVISION_1 = 0x01000000;
const VFS_CAP_REVISION_2 = 0x02000000;
const VFS_CAP_REVISION_3 = 0x03000000;
const VFS_CAP_FLAGS_MASK = 0x00ffffff;

/**
 * Shift a `security.capability` value through an id map, as Incus's idmap
 * and lxc-usernsexec do: the kernel honours file capabilities inside a user
 * namespace only when they are revision 3 with a `rootid` equal to the host
 * uid of the namespace's root. Revisions 1 and 2 (no rootid, meaning host
 * root) become revision 3 with rootid = map(0); revision 3 gets map(rootid).
 * Anything unrecognised is returned unchanged.
 */
export function shiftCapability(value: Buffer, map: IdMap, path: string): Buffer {
  if (value.length < 4) return value;
  const magic = value.readUInt32LE(0);
  const revision = (magic & VFS_CAP_REVISION_MASK) >>> 0;
  const out = Buffer.alloc(24);
  out.writeUInt32LE((VFS_CAP_REVISION_3 | (magic & VFS_CAP_FLAGS_MASK)) >>> 0, 0);
  let rootid = 0;
  if (revision === VFS_CAP_REVISION_1 && value.length >= 12) {
    value.copy(out, 4, 4, 12);
  } else if (revision === VFS_CAP_REVISION_2 && value.length >= 20) {
    value.copy(out, 4, 4, 20);
  } else if (revision === VFS_CAP_REVISION_3 && value.length >= 24) {
    value.copy(out, 4, 4, 20);
    rootid = value.readUInt32LE(20);
  } else return value;
  out.writeUInt32LE(shiftId(map, rootid, 'uid', path), 20);
  return out;
}

/** The root id of a capability value (0 for revisions 1 and 2); undefined when unrecognised. */
export function capabilityRootId(value: Buffer): number | undefined {
  if (value.length < 4) return undefined;
  const revision = (value.readUInt32LE(0) & VFS_CAP_REVISION_MASK) >>> 0;
  if (revision === VFS_CAP_REVISION_3 && value.length >= 24) return value.readUInt32LE(20);
  if (revision === VFS_CAP_REVISION_1 || revision === VFS_CAP_REVISION_2) return 0;
  return undefined;
}
