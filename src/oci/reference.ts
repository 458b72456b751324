import { OciError } from '../errors';
import { isDigest, type Digest } from './digest';

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_TOTAL_MAX = 255;

// The grammar of distribution/reference.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_ID = /^[a-f0-9]{64}$/;
const TAG_RE = new RegExp(`^${TAG}$`);

/**
 * A normalised image reference: `domain/path[:tag][@digest]`, as docker's
 * ParseNormalizedNamed + TagNameOnly give it.
 */
export interface Reference {
  /** registry host[:port], e.g. docker.io, localhost:5000 */
  readonly domain: string;
  /** repository path inside the registry, e.g. library/busybox */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

export function repositoryOf(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The full normalised string: docker.io/library/busybox:latest */
export function formatReference(ref: Reference): string {
  let s = repositoryOf(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Docker's short form for display: busybox:latest, me/app:1, localhost:5000/x:y */
export function familiarName(ref: Reference): string {
  let repo = repositoryOf(ref);
  if (ref.domain === DEFAULT_DOMAIN) {
    repo = ref.path.startsWith(OFFICIAL_PREFIX) && !ref.path.slice(OFFICIAL_PREFIX.length).includes('/')
      ? ref.path.slice(OFFICIAL_PREFIX.length)
      : ref.path;
  }
  return repo;
}

export function familiarString(ref: Reference): string {
  let s = familiarName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

function splitDockerDomain(name: string): [string, string] {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const head = i === -1 ? '' : name.slice(0, i);
  if (i === -1 || (!/[.:]/.test(head) && head !== 'localhost' && head.toLowerCase() === head)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = head;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return [domain, remainder];
}

function invalid(input: string, why: string): OciError {
  return new OciError('REFERENCE_INVALID', `invalid reference format ${JSON.stringify(input)}: ${why}`, { reference: input });
}

export interface ParseReferenceOptions {
  /** add `:latest` when neither tag nor digest is given (docker's TagNameOnly); default true */
  defaultTag?: boolean;
}

/**
 * Parse and normalise as docker does: `busybox` -> docker.io/library/busybox:latest.
 * Throws REFERENCE_INVALID / REFERENCE_NOT_CANONICAL.
 */
export function parseReference(input: string, options: ParseReferenceOptions = {}): Reference {
  if (typeof input !== 'string' || input === '') throw invalid(String(input), 'repository name must have at least one component');
  if (ANCHORED_ID.test(input)) {
    throw invalid(input, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }
  // split off the name part before tag/digest to apply the domain rules
  let nameEnd = input.indexOf('@');
  if (nameEnd === -1) nameEnd = input.length;
  const lastSlash = input.lastIndexOf('/', nameEnd);
  const colon = input.indexOf(':', lastSlash + 1);
  if (colon !== -1 && colon < nameEnd) nameEnd = colon;
  const namePart = input.slice(0, nameEnd);
  const [domain, remainder] = splitDockerDomain(namePart);
  if (remainder.toLowerCase() !== remainder) {
    throw new OciError('REFERENCE_NOT_CANONICAL', `invalid reference format ${JSON.stringify(input)}: repository name must be lowercase`, { reference: input });
  }
  const full = `${domain}/${remainder}${input.slice(nameEnd)}`;
  const m = REFERENCE_RE.exec(full);
  if (m === null) {
    if (input.includes('@') && !/@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/.test(input)) {
      throw invalid(input, 'the digest after "@" must be algorithm:hex');
    }
    throw invalid(input, 'expected [registry[:port]/]repository[:tag][@digest] with a lower-case repository');
  }
  const name = m[1]!;
  if (name.length > NAME_TOTAL_MAX) throw invalid(input, `repository name must not be longer than ${NAME_TOTAL_MAX} characters`);
  const tag = m[2];
  const rawDigest = m[3];
  let digest: Digest | undefined;
  if (rawDigest !== undefined) {
    if (!isDigest(rawDigest)) throw invalid(input, `unsupported digest ${rawDigest}`);
    digest = rawDigest;
  }
  const ref: { domain: string; path: string; tag?: string; digest?: Digest } = { domain, path: remainder };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  if (tag === undefined && digest === undefined && options.defaultTag !== false) ref.tag = 'latest';
  return ref;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/** A reference with a different tag (and no digest). */
export function withTag(ref: Reference, tag: string): Reference {
  if (!isValidTag(tag)) throw invalid(tag, 'invalid tag');
  return { domain: ref.domain, path: ref.path, tag };
}
