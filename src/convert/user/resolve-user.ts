import { readFileInRoot } from '../read-in-root';
import { lookupGroups, lookupUser } from './exec-user';
import { parseGroup, parsePasswd } from './user-db';

/** A user as the container process runs it: what goes into a runtime spec's process.user, LXC's lxc.init.*, and HOME. */
export interface ExecUser {
  uid: number;
  gid: number;
  /** every group the process holds: the primary gid first, then the user's groups, then the ones asked for */
  additionalGids: number[];
  home: string;
  /** the passwd name, when the user was found there */
  name?: string;
}

/**
 * Where the image's files are: a rootfs directory (mounted or copied), or a
 * reader of image paths (`readFileInLayers` over the unpacked layers of an
 * overlay nobody mounted here).
 */
export type RootfsSource = string | ((p: string) => string | undefined);

export interface ResolveUserOptions {
  /** docker's `--group-add`: group names or gids, looked up in the image's /etc/group */
  groupAdd?: readonly string[];
}

/**
 * Resolve a user spec (`name`, `uid`, `name:group`, `uid:gid`, … or empty
 * for root) against the rootfs's own /etc/passwd and /etc/group, read
 * without ever leaving the rootfs, the way `docker run` does (moby's
 * getUser over runc's lookup, exec-user.ts): the process holds its primary
 * gid, then the groups that list the user (implicit form only), then the
 * `--group-add` groups, each gid once. BuildKit's RUN gives the same
 * groups (its ensureAdditionalGids puts the primary gid first), so the
 * builder calls this too. A name that does not resolve is an error naming it.
 */
export function resolveUser(rootfs: RootfsSource, userSpec: string | undefined, options: ResolveUserOptions = {}): ExecUser {
  const read = typeof rootfs === 'string' ? (p: string) => readFileInRoot(rootfs, p) : rootfs;
  const passwd = parsePasswd(read('/etc/passwd'));
  const groups = parseGroup(read('/etc/group'));
  const user = lookupUser(userSpec ?? '', passwd, groups);
  const added = lookupGroups(options.groupAdd ?? [], groups);
  const additionalGids = [...new Set([user.gid, ...user.sgids, ...added])];
  return { uid: user.uid, gid: user.gid, additionalGids, home: user.home, ...(user.name !== undefined ? { name: user.name } : {}) };
}
