import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RegistryError } from '../../errors';
import { DEFAULT_DOMAIN, formatReference, parseReference, type Reference } from '../../oci/reference';
import { DOCKER_DAEMON_JSON, dockerRegistryMirrors } from './docker-daemon-mirrors';
import { loadRegistriesConf, type RegistryEntry } from './registries-conf';

export const SYSTEM_REGISTRIES_CONF = '/etc/containers/registries.conf';
export const SYSTEM_REGISTRIES_CONF_DIR = '/etc/containers/registries.conf.d';

/**
 * Where mirror configuration comes from; every path can be overridden (tests,
 * or a tool that keeps its own). `false` instead of settings: no mirrors.
 */
export interface MirrorSettings {
  /** `--registries-conf FILE`; else CONTAINERS_REGISTRIES_CONF; else ~/.config/containers/registries.conf when it exists; else /etc/containers/registries.conf */
  registriesConf?: string;
  /** drop-in directories; default /etc/containers/registries.conf.d (HOIST_REGISTRIES_CONF_DIR) and ~/.config/containers/registries.conf.d */
  registriesConfDirs?: readonly string[];
  /** docker's daemon.json for `registry-mirrors`; default /etc/docker/daemon.json (HOIST_DOCKER_DAEMON_JSON) */
  dockerDaemonJson?: string;
  env?: NodeJS.ProcessEnv;
}

/** One place to try a pull from: a mirror (its failure falls through to the next) or the registry itself (last). */
export interface PullSource {
  /** the reference as rewritten for this endpoint */
  reference: Reference;
  mirror: boolean;
  /** plain HTTP or unverified TLS allowed */
  insecure: boolean;
  /** docker's registry-mirrors name their scheme */
  scheme?: 'http' | 'https';
}

/** The files to read, as containers/image chooses them. */
function confPaths(s: MirrorSettings): { file: string; explicit: boolean; dirs: readonly string[] } {
  const env = s.env ?? process.env;
  const home = env.HOME || os.homedir();
  const userFile = path.join(home, '.config/containers/registries.conf');
  const userDir = path.join(home, '.config/containers/registries.conf.d');
  const systemDir = env.HOIST_REGISTRIES_CONF_DIR || SYSTEM_REGISTRIES_CONF_DIR;
  const explicit = s.registriesConf ?? (env.CONTAINERS_REGISTRIES_CONF || undefined);
  if (explicit !== undefined) return { file: explicit, explicit: true, dirs: s.registriesConfDirs ?? [systemDir, userDir] };
  if (fs.existsSync(userFile)) return { file: userFile, explicit: false, dirs: s.registriesConfDirs ?? [userDir] };
  return { file: SYSTEM_REGISTRIES_CONF, explicit: false, dirs: s.registriesConfDirs ?? [systemDir, userDir] };
}

/** The length of `prefix` in `ref` when it matches (containers/image's refMatchingPrefix), else -1. */
export function prefixMatch(ref: string, prefix: string): number {
  if (prefix.startsWith('*.')) {
    const i = ref.indexOf(prefix.slice(1));
    if (i < 0 || ref.slice(0, i).includes('/')) return -1;
    const end = i + prefix.length - 1;
    return end === ref.length || ':/@'.includes(ref[end]!) ? end : -1;
  }
  if (ref === prefix) return prefix.length;
  return ref.startsWith(prefix) && ':/@'.includes(ref[prefix.length] ?? '') ? prefix.length : -1;
}

/** The entry with the longest matching prefix. */
export function findRegistry(entries: readonly RegistryEntry[], ref: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  for (const e of entries) if (prefixMatch(ref, e.prefix) >= 0 && (best === undefined || e.prefix.length > best.prefix.length)) best = e;
  return best;
}

function rewrite(ref: Reference, prefix: string, location: string): Reference {
  if (location === '') return ref;
  const s = formatReference(ref);
  const rewritten = location + s.slice(prefixMatch(s, prefix));
  try {
    return parseReference(rewritten);
  } catch (err) {
    throw new RegistryError('REGISTRY_CONFIG', `rewriting ${s} by the registries.conf entry for ${prefix} gives ${rewritten}, which is not a reference`, { prefix }, { cause: err });
  }
}

/**
 * Where to pull `ref` from, in order: the mirrors of its `[[registry]]`
 * (those that its `pull-from-mirror` / `mirror-by-digest-only` allow for a
 * tag or digest reference), then docker's `registry-mirrors` for Docker Hub,
 * then the registry itself (its `location`). Pulls only: pushes never use
 * mirrors. A `blocked` registry refuses.
 */
export function pullSources(ref: Reference, settings: MirrorSettings | false = {}): PullSource[] {
  const self: PullSource = { reference: ref, mirror: false, insecure: false };
  if (settings === false) return [self];
  const env = settings.env ?? process.env;
  const { file, explicit, dirs } = confPaths(settings);
  if (explicit && !fs.existsSync(file)) throw new RegistryError('REGISTRY_CONFIG', `${file}: no such registries.conf`, { path: file });
  const entry = findRegistry(loadRegistriesConf(file, dirs), formatReference(ref));
  if (entry?.blocked) throw new RegistryError('REGISTRY_BLOCKED', `pulls from ${entry.prefix} are blocked by registries.conf`, { prefix: entry.prefix });
  const byDigest = ref.digest !== undefined;
  const sources: PullSource[] = [];
  for (const m of entry?.mirrors ?? []) {
    const allowed = entry!.mirrorByDigestOnly ? byDigest : m.pullFromMirror === 'all' || (m.pullFromMirror === 'digest-only') === byDigest;
    if (allowed) sources.push({ reference: rewrite(ref, entry!.prefix, m.location), mirror: true, insecure: m.insecure });
  }
  if (ref.domain === DEFAULT_DOMAIN) {
    for (const u of dockerRegistryMirrors(settings.dockerDaemonJson ?? (env.HOIST_DOCKER_DAEMON_JSON || DOCKER_DAEMON_JSON))) {
      const scheme = u.protocol === 'http:' ? 'http' : 'https';
      sources.push({ reference: { ...ref, domain: u.host }, mirror: true, insecure: scheme === 'http', scheme });
    }
  }
  sources.push(entry !== undefined ? { reference: rewrite(ref, entry.prefix, entry.location), mirror: false, insecure: entry.insecure } : self);
  return sources;
}
