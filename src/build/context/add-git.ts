import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { BuildError, isErrno, isHoistError } from '../../errors';
import { describeExit, runProcess } from '../../sys';
import { redactRemote, type GitRef } from '../../dockerfile/instructions/git-ref';

/** What a ref names right now (`git ls-remote`), the cache input of an ADD from git. */
export interface ResolvedGit {
  ref: GitRef;
  /** the full ref name fetched (`refs/heads/main`, `refs/tags/v1`), or the commit itself */
  fetchRef: string;
  /** the commit checked out (an annotated tag peeled) */
  commit: string;
  /** what the ref points at: the commit, or an annotated tag's own object */
  object: string;
}

export interface GitOptions {
  /** an ssh-agent socket for `git@host:` and `ssh://` remotes (`hoist build --ssh`) */
  sshAuthSock?: string;
  signal?: AbortSignal;
}

const isCommitSha = (s: string): boolean => /^([0-9a-f]{40}|[0-9a-f]{64})$/.test(s);

const failed = (ref: GitRef, message: string): BuildError =>
  new BuildError('ADD_GIT_FAILED', `failed to fetch remote ${redactRemote(ref.remote)}: ${message}`, { remote: redactRemote(ref.remote) });

/**
 * ADD's git sources through the system `git`: `resolve` asks the remote what
 * the ref names (no clone, so an unchanged ref is a cache hit without one);
 * `checkout` fetches that commit (depth 1) into a private temp dir and checks
 * it out as BuildKit's git source does: files owned 0:0 with git's modes
 * (0644, 0755 when executable; directories 0755) and the checkout's time as
 * mtime; `.git` removed unless kept (then only when no subdir is asked).
 * Both are done once per build; `close()` removes every checkout.
 */
export class GitFetcher {
  private readonly resolved = new Map<string, Promise<ResolvedGit>>();
  private readonly checkouts = new Map<string, Promise<string>>();
  private dir: string | undefined;

  constructor(private readonly tmpRoot = os.tmpdir()) {}

  async resolve(ref: GitRef, options: GitOptions = {}): Promise<ResolvedGit> {
    // what the remote says is shared by every source naming the same ref; the result carries this source's options
    const found = await memo(this.resolved, `${ref.remote}#${ref.ref ?? ''}#${ref.checksum ?? ''}`, () => this.lsRemote(ref, options));
    return { ...found, ref };
  }

  checkout(r: ResolvedGit, options: GitOptions = {}): Promise<string> {
    const key = JSON.stringify([r.ref.remote, r.fetchRef, r.commit, r.ref.subdir, r.ref.keepGitDir, r.ref.submodules]);
    return memo(this.checkouts, key, () => this.fetchAndCheckout(r, options));
  }

  async close(): Promise<void> {
    this.resolved.clear();
    this.checkouts.clear();
    if (this.dir !== undefined) await fs.rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async git(ref: GitRef, args: string[], options: GitOptions, cwd?: string): Promise<string> {
    if (ref.scheme === 'ssh' && options.sshAuthSock === undefined) {
      throw new BuildError('ADD_GIT_SSH_UNAVAILABLE', `ADD ${redactRemote(ref.remote)} needs an SSH agent: pass one with hoist build --ssh default[=SOCKET|KEY]`, { remote: redactRemote(ref.remote) });
    }
    this.dir ??= await fs.mkdtemp(path.join(this.tmpRoot, 'hoist-git-'));
    const env: NodeJS.ProcessEnv = {
      ...proxyEnv(),
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      LC_ALL: 'C',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      // no user ssh config or known_hosts (BuildKit's git source has none either); keys come from the agent
      GIT_SSH_COMMAND: 'ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR',
      ...(options.sshAuthSock !== undefined ? { SSH_AUTH_SOCK: options.sshAuthSock } : {}),
    };
    const argv = ['git', ...args];
    let res;
    try {
      res = await runProcess(argv, { env, cwd: cwd ?? this.dir, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new BuildError('ADD_GIT_FAILED', 'ADD of a git repository needs the git command (Debian package git)', {}, { cause: err });
      throw err;
    }
    if (res.code !== 0) throw failed(ref, describeExit(argv.map((a) => (a === ref.remote ? redactRemote(a) : a)), res));
    return res.stdout;
  }

  private async lsRemote(ref: GitRef, options: GitOptions): Promise<ResolvedGit> {
    const want = ref.checksum;
    if (want !== undefined && !/^[0-9a-fA-F]+$/.test(want)) {
      throw new BuildError('ADD_CHECKSUM_INVALID', `invalid checksum ${want} for Git URL, expected hex commit hash`, { checksum: want });
    }
    const mismatch = (got: string): BuildError =>
      new BuildError('ADD_CHECKSUM_MISMATCH', `expected checksum to match ${want}, got ${got} (${redactRemote(ref.remote)}#${ref.ref ?? 'HEAD'})`, { expected: want, found: got, remote: redactRemote(ref.remote) });
    if (ref.ref !== undefined && isCommitSha(ref.ref)) {
      if (want !== undefined && !ref.ref.startsWith(want.toLowerCase())) throw mismatch(ref.ref);
      return { ref, fetchRef: ref.ref, commit: ref.ref, object: ref.ref };
    }
    let name = ref.ref;
    if (name === undefined) {
      const head = await this.git(ref, ['ls-remote', '--symref', '--', ref.remote, 'HEAD'], options);
      name = /^ref: (\S+)\tHEAD$/m.exec(head)?.[1] ?? 'HEAD';
    }
    const out = await this.git(ref, ['ls-remote', '--', ref.remote, name, `${name}^{}`], options);
    const short = name.replace(/^refs\//, '');
    const found = new Map(out.split('\n').filter((l) => l.includes('\t')).map((l) => [l.split('\t')[1]!, l.split('\t')[0]!] as const));
    // BuildKit's order: the exact ref, then a branch, then a tag (an annotated tag peeled for the checkout)
    const asHead = `refs/heads/${name.replace(/^refs\/heads\//, '')}`;
    const asTag = `refs/tags/${name.replace(/^refs\/tags\//, '')}`;
    let fetchRef = name === 'HEAD' ? 'HEAD' : `refs/${short}`;
    let object = found.get(fetchRef);
    if (object === undefined && found.has(asHead)) object = found.get((fetchRef = asHead));
    if (object === undefined && found.has(asTag)) object = found.get((fetchRef = asTag));
    const peeled = fetchRef.startsWith('refs/tags/') ? found.get(`${fetchRef}^{}`) : undefined;
    if (object === undefined) throw new BuildError('ADD_GIT_REF_NOT_FOUND', `repository ${redactRemote(ref.remote)} does not contain ref ${name}`, { remote: redactRemote(ref.remote), ref: name });
    if (!isCommitSha(object)) throw failed(ref, `invalid commit sha ${JSON.stringify(object)}`);
    const commit = peeled ?? object;
    if (want !== undefined && !object.startsWith(want.toLowerCase()) && !commit.startsWith(want.toLowerCase())) throw mismatch(peeled ? `${object} or ${peeled}` : object);
    return { ref, fetchRef, commit, object };
  }

  private async fetchAndCheckout(r: ResolvedGit, options: GitOptions): Promise<string> {
    this.dir ??= await fs.mkdtemp(path.join(this.tmpRoot, 'hoist-git-'));
    const work = await fs.mkdtemp(path.join(this.dir, 'checkout-'));
    const git = (args: string[]): Promise<string> => this.git(r.ref, ['-C', work, ...args], options);
    await this.git(r.ref, ['-c', 'init.defaultBranch=master', 'init', '-q', work], options);
    await git(['remote', 'add', 'origin', r.ref.remote]);
    const spec = isCommitSha(r.fetchRef) || r.fetchRef === 'HEAD' ? r.fetchRef : `+${r.fetchRef}:${r.fetchRef}`;
    try {
      await git(['fetch', '-q', '-u', '--no-tags', '--depth=1', 'origin', spec]);
    } catch (err) {
      if (!isCommitSha(r.fetchRef)) throw err;
      // a server that refuses a commit it did not advertise: fetch its branches and tags
      await git(['fetch', '-q', '-u', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
    }
    const got = (
      await git(['rev-parse', '--verify', '-q', `${r.commit}^{commit}`]).catch((err: unknown) => {
        if (isHoistError(err, 'ADD_GIT_FAILED')) return '';
        throw err;
      })
    ).trim();
    if (got !== r.commit) throw failed(r.ref, `${r.fetchRef} no longer names ${r.commit} (the remote changed during the build)`);
    await git(['-c', 'advice.detachedHead=false', 'checkout', '-q', '--detach', r.commit]);
    if (r.ref.submodules !== false && (await exists(path.join(work, '.gitmodules')))) {
      await git(['submodule', 'update', '--init', '--recursive', '--depth=1']);
    }
    const keep = r.ref.keepGitDir === true && r.ref.subdir === undefined;
    if (keep) {
      await git(['remote', 'set-url', 'origin', redactRemote(r.ref.remote)]);
      await git(['reflog', 'expire', '--all', '--expire=now']);
      await fs.rm(path.join(work, '.git', 'FETCH_HEAD'), { force: true });
    }
    const root = r.ref.subdir === undefined ? work : await subdirOf(work, r.ref);
    await normalize(work, keep);
    return root;
  }
}

/** The proxy variables of hoist's environment, which git's http transport honours (as buildkitd's own environment). */
function proxyEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const k of ['http_proxy', 'https_proxy', 'no_proxy', 'all_proxy']) {
    for (const name of [k, k.toUpperCase()]) if (process.env[name] !== undefined) out[name] = process.env[name];
  }
  return out;
}

function memo<T>(map: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = map.get(key);
  if (p === undefined) {
    p = make();
    map.set(key, p);
    p.catch(() => map.delete(key));
  }
  return p;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** `subdir` inside the checkout: directories all the way (no symlink is followed out), as BuildKit's validateDirsOnly. */
async function subdirOf(work: string, ref: GitRef): Promise<string> {
  let p = work;
  for (const part of ref.subdir!.split('/')) {
    p = path.join(p, part);
    const st = await fs.lstat(p).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) {
      throw new BuildError('COPY_SOURCE_NOT_FOUND', `invalid subdir ${ref.subdir}: ${path.relative(work, p)} is not a directory in ${redactRemote(ref.remote)}#${ref.ref ?? 'HEAD'}`, { subdir: ref.subdir });
    }
  }
  return p;
}

/**
 * Owner 0:0 and git's modes below the checkout; mtimes stay the checkout's.
 * Without `keep`, every `.git` goes (the repository's, and the pointer files
 * submodules get); with it the top `.git` stays as git wrote it, and so do
 * the submodules' pointers into it.
 */
async function normalize(work: string, keep: boolean, dir = work): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.name === '.git') {
      if (!keep) await fs.rm(p, { recursive: true, force: true });
      if (!keep || dir === work) continue;
    }
    if (process.getuid?.() === 0) await fs.lchown(p, 0, 0);
    if (e.isDirectory()) await normalize(work, keep, p);
    else if (e.isFile()) await fs.chmod(p, ((await fs.stat(p)).mode & 0o100) !== 0 ? 0o755 : 0o644);
  }
  if (process.getuid?.() === 0) await fs.lchown(dir, 0, 0);
}
