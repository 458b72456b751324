import * as path from 'node:path';
import { DockerfileError } from '../../errors';

/** An ADD source that names a Git repository, as BuildKit's dfgitutil.ParseGitRef reads it. */
export interface GitRef {
  /** what git is given: the URL without fragment and query (`https://host/r.git`, `git@host:r.git`) */
  remote: string;
  scheme: 'http' | 'https' | 'ssh' | 'git';
  /** branch, tag, commit sha or full ref name (`refs/tags/v1`); undefined: the remote's HEAD */
  ref?: string;
  /** a directory inside the repository, clean and relative (`docs/api`) */
  subdir?: string;
  /** `?checksum=` / `?commit=`: the commit the ref must name (a hex prefix) */
  checksum?: string;
  /** `?keep-git-dir=` */
  keepGitDir?: boolean;
  /** `?submodules=` (default: submodules are checked out) */
  submodules?: boolean;
}

const PROTO = /^([a-zA-Z0-9]+):\/\//;
const SCP = /^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$/;
const SCHEMES = new Set(['http', 'https', 'ssh', 'git']);

const invalid = (source: string, message: string): DockerfileError =>
  new DockerfileError('ADD_GIT_REF_INVALID', `invalid git source ${JSON.stringify(redactRemote(source))}: ${message}`, { source: redactRemote(source) });

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  return undefined;
}

function cleanSubdir(subdir: string): string | undefined {
  const s = path.posix.join('/', subdir).replace(/^\/+|\/+$/g, '');
  return s === '' ? undefined : s;
}

/**
 * The Git repository an ADD source names, or undefined when it is not one
 * (a context path, a plain http(s) URL whose path does not end in `.git`,
 * `github.com/…`, which ADD takes as a local path). Fragment `#ref:subdir`,
 * query `?ref=&branch=&tag=&subdir=&checksum=&keep-git-dir=&submodules=`
 * with BuildKit's conflict rules; a bad one is ADD_GIT_REF_INVALID.
 */
export function parseGitRef(source: string): GitRef | undefined {
  if (source.startsWith('./') || source.startsWith('../') || source.startsWith('github.com/')) return undefined;
  let scheme: GitRef['scheme'];
  let pathPart: string;
  let rest: string;
  const proto = PROTO.exec(source);
  if (proto) {
    scheme = proto[1]!.toLowerCase() as GitRef['scheme'];
    if (!SCHEMES.has(scheme)) return undefined;
    const noFragment = source.split('#', 1)[0]!;
    pathPart = noFragment.split('?', 1)[0]!;
    let urlPath: string;
    try {
      urlPath = new URL(pathPart).pathname;
    } catch {
      return undefined;
    }
    if ((scheme === 'http' || scheme === 'https') && !urlPath.endsWith('.git')) return undefined;
    rest = source.slice(pathPart.length);
  } else {
    const m = SCP.exec(source);
    if (!m) return undefined;
    scheme = 'ssh';
    pathPart = `${m[1]}@${m[2]}:${m[3]}`;
    rest = source.slice(pathPart.length);
  }
  const hash = rest.indexOf('#');
  const query = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? '' : rest.slice(hash + 1);
  const out: GitRef = { remote: pathPart, scheme };
  if (fragment !== '') {
    const colon = fragment.indexOf(':');
    const ref = colon < 0 ? fragment : fragment.slice(0, colon);
    const subdir = colon < 0 ? undefined : cleanSubdir(fragment.slice(colon + 1));
    if (ref !== '') out.ref = ref;
    if (subdir !== undefined) out.subdir = subdir;
  }
  if (query.startsWith('?') && query.length > 1) loadQuery(source, new URLSearchParams(query.slice(1)), out);
  return out;
}

function loadQuery(source: string, q: URLSearchParams, out: GitRef): void {
  let tag: string | undefined;
  let branch: string | undefined;
  const setRef = (v: string): void => {
    if (out.ref !== undefined && out.ref !== v) throw invalid(source, `ref conflicts: ${JSON.stringify(out.ref)} vs ${JSON.stringify(v)}`);
    out.ref = v;
  };
  const bool = (k: string, v: string): boolean => {
    if (v === '') return true;
    const b = parseBool(v);
    if (b === undefined) throw invalid(source, `invalid ${k} value: ${JSON.stringify(v)}`);
    return b;
  };
  for (const k of new Set(q.keys())) {
    const all = q.getAll(k);
    if (all.length > 1) throw invalid(source, `query ${JSON.stringify(k)} has multiple values`);
    const v = all[0]!;
    if (v === '' && !['submodules', 'keep-git-dir', 'fetch-by-commit'].includes(k)) throw invalid(source, `query ${JSON.stringify(k)} has no value`);
    switch (k) {
      case 'ref':
        setRef(v);
        break;
      case 'tag':
        tag = v.startsWith('refs/tags/') ? v : `refs/tags/${v}`;
        break;
      case 'branch':
        branch = v.startsWith('refs/heads/') ? v : `refs/heads/${v}`;
        break;
      case 'subdir': {
        const s = cleanSubdir(v);
        if (out.subdir !== undefined && out.subdir !== s) throw invalid(source, `subdir conflicts: ${JSON.stringify(out.subdir)} vs ${JSON.stringify(v)}`);
        if (s !== undefined) out.subdir = s;
        break;
      }
      case 'checksum':
      case 'commit':
        out.checksum = v;
        break;
      case 'keep-git-dir':
        out.keepGitDir = bool(k, v);
        break;
      case 'submodules':
        out.submodules = bool(k, v);
        break;
      case 'mtime':
        if (v !== 'checkout' && v !== 'commit') throw invalid(source, `invalid mtime value: ${JSON.stringify(v)} (must be "checkout" or "commit")`);
        break; // parsed, but BuildKit's ADD does not pass it on: files keep their checkout time
      case 'fetch-by-commit':
        bool(k, v);
        break; // an optimisation of BuildKit's fetch; the result is the same
      default:
        throw invalid(source, `unexpected query ${JSON.stringify(k)}`);
    }
  }
  if (tag !== undefined) setRef(tag);
  if (branch !== undefined) {
    if (tag !== undefined) throw invalid(source, 'branch conflicts with tag');
    setRef(branch);
  }
}

/** The remote with any password in it replaced (for messages and the image's history). */
export function redactRemote(remote: string): string {
  return remote.replace(/^([a-zA-Z0-9]+:\/\/[^/@:]*):[^/@]*@/, '$1:xxxxx@');
}

/** A git source with ADD's --keep-git-dir and --checksum merged in; a flag that contradicts the URL is ADD_GIT_REF_INVALID (BuildKit's dispatchCopy). */
export function withAddFlags(ref: GitRef, flags: { keepGitDir?: boolean; checksum?: string }, source: string): GitRef {
  const bad = (m: string): DockerfileError => new DockerfileError('ADD_GIT_REF_INVALID', m, { source: redactRemote(source) });
  const out = { ...ref };
  if (flags.keepGitDir !== undefined && ref.keepGitDir !== undefined && flags.keepGitDir !== ref.keepGitDir) throw bad('inconsistent keep-git-dir configuration');
  if (ref.keepGitDir === undefined && flags.keepGitDir !== undefined) out.keepGitDir = flags.keepGitDir;
  if (flags.checksum !== undefined && ref.checksum !== undefined && flags.checksum !== ref.checksum) throw bad(`checksum mismatch ${JSON.stringify(flags.checksum)} != ${JSON.stringify(ref.checksum)}`);
  if (flags.checksum !== undefined) out.checksum = flags.checksum;
  return out;
}
