import { ConvertError } from '../errors';
import { readFileInRoot } from './read-in-root';

/** A user as the container process runs it (docker / runc GetExecUser semantics). */
export interface ExecUser {
  uid: number;
  gid: number;
  /** supplementary groups from /etc/group (and any asked for explicitly) */
  additionalGids: number[];
  home: string;
  /** the passwd name, when the user was found there */
  name?: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NUMERIC = /^[0-9]+$/;
const MAX_ID = 2 ** 31 - 1;

function parseId(s: string, what: string, spec: string): number {
  const n = Number(s);
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_ID) {
    throw new ConvertError('CONVERT_USER_INVALID', `invalid ${what} ${JSON.stringify(s)} in user ${JSON.stringify(spec)}`, { user: spec });
  }
  return n;
}

export function parsePasswd(text: string | undefined): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !NUMERIC.test(f[2]!) || !NUMERIC.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' });
  }
  return out;
}

export function parseGroup(text: string | undefined): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 3 || !NUMERIC.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

/**
 * Resolve an image's `User` (`name`, `uid`, `name:group`, `uid:gid`, ...)
 * against the rootfs's own /etc/passwd and /etc/group, read without ever
 * leaving the rootfs. A name that does not resolve is an error naming it;
 * a numeric id not in passwd is used as it is (gid 0, HOME /), as runc does.
 */
export function resolveImageUser(rootfs: string, spec: string | undefined, extraGroups: string[] = []): ExecUser {
  const passwd = parsePasswd(readFileInRoot(rootfs, '/etc/passwd'));
  const groups = parseGroup(readFileInRoot(rootfs, '/etc/group'));
  const [userPart = '', groupPart] = (spec ?? '').split(':', 2) as [string?, string?];
  let user: ExecUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };
  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    if (root) user = { uid: 0, gid: root.gid, additionalGids: [], home: root.home, name: root.name };
  } else {
    const byName = passwd.find((p) => p.name === userPart);
    const byUid = NUMERIC.test(userPart) ? passwd.find((p) => p.uid === parseId(userPart, 'uid', spec!)) : undefined;
    const entry = byName ?? byUid;
    if (entry) user = { uid: entry.uid, gid: entry.gid, additionalGids: [], home: entry.home, name: entry.name };
    else if (NUMERIC.test(userPart)) user = { uid: parseId(userPart, 'uid', spec!), gid: 0, additionalGids: [], home: '/' };
    else throw new ConvertError('CONVERT_USER_UNKNOWN', `unable to find user ${userPart}: no matching entries in the image's /etc/passwd`, { user: userPart });
  }
  if (groupPart !== undefined && groupPart !== '') user.gid = lookupGroup(groups, groupPart, spec!);
  if (user.name !== undefined && groupPart === undefined) {
    for (const g of groups) if (g.members.includes(user.name) && g.gid !== user.gid) user.additionalGids.push(g.gid);
  }
  for (const g of extraGroups) {
    const gid = lookupGroup(groups, g, g);
    if (!user.additionalGids.includes(gid)) user.additionalGids.push(gid);
  }
  return user;
}

function lookupGroup(groups: GroupEntry[], g: string, spec: string): number {
  const byName = groups.find((x) => x.name === g);
  if (byName) return byName.gid;
  if (NUMERIC.test(g)) return parseId(g, 'gid', spec);
  throw new ConvertError('CONVERT_USER_UNKNOWN', `unable to find group ${g}: no matching entries in the image's /etc/group`, { group: g });
}
