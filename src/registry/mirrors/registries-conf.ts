import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Toml from 'smol-toml' with { 'resolution-mode': 'import' };
import { isErrno, RegistryError } from '../../errors';

/** One `[[registry.mirror]]`: pull only, tried in order before the registry itself. */
export interface MirrorEndpoint {
  /** host[:port][/path], no scheme */
  location: string;
  /** plain HTTP or unverified TLS */
  insecure: boolean;
  /** all (default), digest-only or tag-only */
  pullFromMirror: 'all' | 'digest-only' | 'tag-only';
}

/** One `[[registry]]` of containers-registries.conf(5), checked and normalised. */
export interface RegistryEntry {
  /** what references it matches: `host[:port][/path]`, or `*.domain` */
  prefix: string;
  /** where the matched part of a reference is rewritten to (empty only for a `*.domain` prefix) */
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorEndpoint[];
}

const PULL_FROM = new Set(['all', 'digest-only', 'tag-only']);

function invalid(file: string, message: string): RegistryError {
  return new RegistryError('REGISTRY_CONFIG', `${file}: ${message}`, { path: file });
}

/** containers/image's parseLocation: trailing slashes dropped, no URI scheme. */
function location(file: string, value: unknown, what: string): string {
  if (value !== undefined && typeof value !== 'string') throw invalid(file, `${what} must be a string`);
  const trimmed = (value ?? '').replace(/\/+$/, '');
  if (/^https?:\/\//.test(trimmed)) throw invalid(file, `invalid location '${value as string}': URI schemes are not supported`);
  return trimmed;
}

function flag(file: string, value: unknown, what: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(file, `${what} must be true or false`);
  return value;
}

function entryOf(file: string, raw: Record<string, unknown>): RegistryEntry {
  const loc = location(file, raw.location, 'location');
  let prefix = raw.prefix === undefined || raw.prefix === '' ? loc : location(file, raw.prefix, 'prefix');
  if (prefix === '') throw invalid(file, 'invalid condition: both location and prefix are unset');
  if (loc === '' && !prefix.startsWith('*.')) throw invalid(file, `invalid condition: location is unset and prefix ${prefix} is not in the format *.example.com`);
  if (prefix.startsWith('*.') && /[/@:]/.test(prefix)) throw invalid(file, `wildcarded prefix should be in the format *.example.com, not ${prefix}`);
  if (raw['pull-from-mirror'] !== undefined) throw invalid(file, `pull-from-mirror must not be set for a non-mirror registry ${prefix}`);
  const mirrorByDigestOnly = flag(file, raw['mirror-by-digest-only'], 'mirror-by-digest-only');
  const rawMirrors = raw.mirror ?? [];
  if (!Array.isArray(rawMirrors)) throw invalid(file, `[[registry.mirror]] of ${prefix} must be an array of tables`);
  const mirrors = rawMirrors.map((m: Record<string, unknown>) => {
    const ml = location(file, m.location, 'mirror location');
    if (ml === '') throw invalid(file, `invalid condition: a mirror of ${prefix} has no location`);
    const pull = (m['pull-from-mirror'] as string | undefined) ?? 'all';
    if (!PULL_FROM.has(pull)) throw invalid(file, `unsupported pull-from-mirror value ${JSON.stringify(pull)} for mirror ${ml}`);
    if (mirrorByDigestOnly && m['pull-from-mirror'] !== undefined) throw invalid(file, `cannot set mirror-by-digest-only for ${prefix} and pull-from-mirror for its mirror ${ml} at the same time`);
    return { location: ml, insecure: flag(file, m.insecure, 'mirror insecure'), pullFromMirror: pull as MirrorEndpoint['pullFromMirror'] };
  });
  prefix = prefix.replace(/\/+$/, '');
  return { prefix, location: loc, insecure: flag(file, raw.insecure, 'insecure'), blocked: flag(file, raw.blocked, 'blocked'), mirrorByDigestOnly, mirrors };
}

// loaded only when a file exists: most runs have no registries.conf worth parsing
let toml: typeof Toml | undefined;

/**
 * The `[[registry]]` entries of one file (v2 format; the v1
 * `[registries.search]` tables carry no mirrors and are ignored). The first
 * entry for a prefix wins within a file, as containers/image keeps it.
 * Undefined when the file does not exist.
 */
export function readRegistriesConf(file: string): RegistryEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return undefined;
    throw new RegistryError('REGISTRY_CONFIG', `${file}: cannot read: ${(err as Error).message}`, { path: file }, { cause: err });
  }
  // the usual system files (all comments; shortnames.conf's [aliases]) have no `registry` table or key:
  // nothing to parse, and no TOML parser to load (~40 ms of a cold start)
  if (!/^[ \t]*(?:\[\[[ \t]*registry[ \t]*\]\]|registry[ \t]*=)/m.test(text)) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  toml ??= require('smol-toml') as typeof Toml;
  let doc: Record<string, unknown>;
  try {
    doc = toml.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new RegistryError('REGISTRY_CONFIG', `${file}: not valid TOML: ${(err as Error).message.split('\n')[0]}`, { path: file }, { cause: err });
  }
  const raw = doc.registry ?? [];
  if (!Array.isArray(raw)) throw invalid(file, '[[registry]] must be an array of tables');
  const byPrefix = new Map<string, RegistryEntry>();
  for (const r of raw as Array<Record<string, unknown>>) {
    const e = entryOf(file, r);
    if (!byPrefix.has(e.prefix)) byPrefix.set(e.prefix, e);
  }
  return [...byPrefix.values()];
}

/**
 * Read the main file, then every `*.conf` of the drop-in directories in
 * name order: a drop-in's entry replaces the one with the same prefix
 * (containers/image's merge). A missing file or directory is no error.
 */
export function loadRegistriesConf(mainFile: string, dropInDirs: readonly string[]): RegistryEntry[] {
  const byPrefix = new Map<string, RegistryEntry>();
  for (const e of readRegistriesConf(mainFile) ?? []) byPrefix.set(e.prefix, e);
  for (const dir of dropInDirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => !d.isDirectory() && d.name.endsWith('.conf')).map((d) => d.name).sort();
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) continue;
      throw new RegistryError('REGISTRY_CONFIG', `${dir}: cannot read: ${(err as Error).message}`, { path: dir }, { cause: err });
    }
    for (const name of names) for (const e of readRegistriesConf(path.join(dir, name)) ?? []) byPrefix.set(e.prefix, e);
  }
  return [...byPrefix.values()];
}
