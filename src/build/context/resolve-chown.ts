import { BuildError } from '../../errors';
import type { ChownSpec } from '../../dockerfile/instructions/types';
import { readFileInRoot } from '../../convert/read-in-root';
import { parseGroup, parsePasswd } from '../../convert/user/user-db';
import type { Owner } from './types';

const NUMERIC = /^[0-9]+$/;
const MAX_ID = 2 ** 32 - 1;

function id(s: string, spec: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n > MAX_ID) throw new BuildError('COPY_CHOWN_INVALID', `invalid --chown ${JSON.stringify(spec)}: ${s} is out of range`, { chown: spec });
  return n;
}

/**
 * `--chown=user[:group]` resolved in the target rootfs (its /etc/passwd and
 * /etc/group, read without leaving it), as BuildKit's readUser does: a name
 * gives that user's uid and primary gid, a bare uid gives uid:uid, a group
 * overrides the gid. A name that resolves nowhere is an error here
 * (BuildKit would silently use 0); ids need no entry.
 */
export function resolveChown(rootfs: string, chown: ChownSpec | string): Owner {
  const spec = typeof chown === 'string' ? chown : chown.raw;
  const i = spec.indexOf(':');
  const user = i < 0 ? spec : spec.slice(0, i);
  const group = i < 0 ? undefined : spec.slice(i + 1);
  let owner: Owner = { uid: 0, gid: 0 };
  if (user !== '') {
    if (NUMERIC.test(user)) {
      const uid = id(user, spec);
      owner = { uid, gid: uid };
    } else {
      const entry = parsePasswd(readFileInRoot(rootfs, '/etc/passwd')).find((p) => p.name === user);
      if (entry === undefined) throw new BuildError('COPY_CHOWN_UNKNOWN', `unable to find user ${user}: no matching entries in passwd file`, { user, chown: spec });
      owner = { uid: entry.uid, gid: entry.gid };
    }
  }
  if (group !== undefined && group !== '') {
    if (NUMERIC.test(group)) owner.gid = id(group, spec);
    else {
      const entry = parseGroup(readFileInRoot(rootfs, '/etc/group')).find((g) => g.name === group);
      if (entry === undefined) throw new BuildError('COPY_CHOWN_UNKNOWN', `unable to find group ${group}: no matching entries in group file`, { group, chown: spec });
      owner.gid = entry.gid;
    }
  }
  return owner;
}
