import { ConvertError } from '../../errors';
import type { GroupEntry, PasswdEntry } from './user-db';

/** A user spec looked up in passwd and group (runc's libcontainer/user ExecUser), before an engine adds its own groups. */
export interface LookedUpUser {
  uid: number;
  gid: number;
  /** groups that list the user as a member; only in the implicit form (no `:group` given) */
  sgids: number[];
  home: string;
  /** the passwd name, when the user was found there */
  name?: string;
}

const MAX_ID = 2 ** 31 - 1;

/** Go's strconv.Atoi accepts a sign: `+5` and `-1` are numeric (the latter then out of range). */
function numeric(s: string): number | undefined {
  return /^[+-]?[0-9]+$/.test(s) ? Number(s) : undefined;
}

function inRange(n: number, what: string, spec: string): number {
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) {
    throw new ConvertError('CONVERT_USER_INVALID', `${what} ${JSON.stringify(spec)} is outside the range 0..${MAX_ID}`, { user: spec });
  }
  return n;
}

function noGroup(name: string): ConvertError {
  return new ConvertError('CONVERT_USER_UNKNOWN', `unable to find group ${name}: no matching entries in the image's /etc/group`, { group: name });
}

/**
 * runc's GetExecUser rules, which docker, containerd and BuildKit all use:
 *
 *  - `USER` is `user`, `user:group` or empty (then uid 0 is looked up);
 *  - a numeric user is always a uid, never a name; the first passwd entry
 *    matching wins; a uid with no entry is used as it is (gid 0, HOME /),
 *    a name with no entry is CONVERT_USER_UNKNOWN;
 *  - an explicit group (numeric: a gid, else a name) replaces the primary
 *    gid, and then no supplementary groups are looked up;
 *  - otherwise, when the user was found in passwd, every group that lists
 *    its name as a member is a supplementary group, in file order (the
 *    primary group included if it lists the user too).
 */
export function lookupUser(spec: string, passwd: readonly PasswdEntry[], groups: readonly GroupEntry[]): LookedUpUser {
  const [userArg = '', groupArg = ''] = spec.split(':');
  const uidArg = numeric(userArg);
  const found = passwd.find((p) => (userArg === '' ? p.uid === 0 : uidArg !== undefined ? p.uid === uidArg : p.name === userArg));
  let user: LookedUpUser;
  if (found !== undefined) user = { uid: found.uid, gid: found.gid, sgids: [], home: found.home, name: found.name };
  else if (userArg === '') user = { uid: 0, gid: 0, sgids: [], home: '/' };
  else if (uidArg !== undefined) user = { uid: inRange(uidArg, 'uid', spec), gid: 0, sgids: [], home: '/' };
  else throw new ConvertError('CONVERT_USER_UNKNOWN', `unable to find user ${userArg}: no matching entries in the image's /etc/passwd`, { user: userArg });
  if (groupArg !== '') {
    const gidArg = numeric(groupArg);
    const g = groups.find((x) => (gidArg !== undefined ? x.gid === gidArg : x.name === groupArg));
    if (g !== undefined) user.gid = g.gid;
    else if (gidArg !== undefined) user.gid = inRange(gidArg, 'gid', spec);
    else throw noGroup(groupArg);
  } else if (user.name !== undefined) {
    const name = user.name;
    user.sgids = groups.filter((g) => g.members.includes(name)).map((g) => g.gid);
  }
  return user;
}

/**
 * runc's GetAdditionalGroups (docker's `--group-add`): each entry is the
 * first group whose name or gid (as written) equals it, else a numeric gid
 * used as it is, else CONVERT_USER_UNKNOWN. Request order, each gid once
 * (runc refuses a repeated name instead: "Unable to find group").
 */
export function lookupGroups(requested: readonly string[], groups: readonly GroupEntry[]): number[] {
  const out: number[] = [];
  for (const want of requested) {
    const g = groups.find((x) => x.name === want || String(x.gid) === want);
    const n = numeric(want);
    let gid: number;
    if (g !== undefined) gid = g.gid;
    else if (n !== undefined) gid = inRange(n, 'gid', want);
    else throw noGroup(want);
    if (!out.includes(gid)) out.push(gid);
  }
  return out;
}
