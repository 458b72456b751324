import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../../errors';
import { deferredExtraCaFile, startupExtraCaFile, tlsCaDefaults } from '../../sys/extra-ca';
import type { TlsSettings } from './http-send';

export const DEFAULT_CERTS_DIR = '/etc/docker/certs.d';

/** Docker Hub's registry API: where `docker.io` references are sent (docker, containerd, containers/image). */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

/**
 * The host that serves a registry's API: `registry-1.docker.io` for Docker
 * Hub's names (`docker.io`, `index.docker.io`), the name itself otherwise.
 * Credentials stay keyed by the registry's name (`https://index.docker.io/v1/`
 * for the Hub), never by this host.
 */
export function apiHost(registry: string): string {
  return registry === 'docker.io' || registry === 'index.docker.io' ? DOCKER_HUB_API_HOST : registry;
}

export interface EndpointOptions {
  /** force a scheme (tests, or a registry known to be plain HTTP) */
  scheme?: 'http' | 'https';
  /** registries (`host[:port]` or `host`) spoken to over plain HTTP or unverified TLS */
  insecureRegistries?: readonly string[];
  /** docker's per-registry CA directory (default /etc/docker/certs.d) */
  certsDir?: string;
  env?: NodeJS.ProcessEnv;
}

function hostname(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i > 0 && host.indexOf(':') === i ? host.slice(0, i) : host;
}

/** localhost, 127.0.0.0/8, ::1: spoken to over plain HTTP when they do not speak TLS (as docker). */
export function isLoopbackHost(host: string): boolean {
  const h = hostname(host).toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Registries named insecure: by option or HOIST_INSECURE_REGISTRIES (comma separated). */
export function insecureList(options: EndpointOptions): string[] {
  const env = options.env ?? process.env;
  const fromEnv = (env.HOIST_INSECURE_REGISTRIES ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  return [...(options.insecureRegistries ?? []), ...fromEnv];
}

export function isInsecureRegistry(host: string, options: EndpointOptions): boolean {
  return insecureList(options).some((h) => h === host || h === hostname(host));
}

function readCerts(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw err;
  }
  return names.filter((n) => n.endsWith('.crt') && !n.endsWith('.cert')).sort().map((n) => fs.readFileSync(path.join(dir, n), 'utf8'));
}

/**
 * The CAs to trust for a registry: docker's `/etc/docker/certs.d/HOST[:PORT]/*.crt`
 * and NODE_EXTRA_CA_CERTS, on top of the system roots. Undefined when neither
 * adds anything (Node's defaults then apply, with the process's own NODE_EXTRA_CA_CERTS).
 * NODE_EXTRA_CA_CERTS as node loaded it at start needs no `ca` list of ours
 * (a `ca` list makes every TLS context parse ~140 roots and the bundle again:
 * 66 ms of a 330 ms mount-only push where Debian's bundle is set, docs/push.md);
 * one that bin/hoist deferred (sys/extra-ca.ts) or that only `options.env` names does.
 */
export function customCaFor(host: string, options: EndpointOptions): string[] | undefined {
  const env = options.env ?? process.env;
  const dir = options.certsDir ?? DEFAULT_CERTS_DIR;
  const extra: string[] = [...readCerts(path.join(dir, host))];
  if (host.includes(':') && !host.startsWith('[')) extra.push(...readCerts(path.join(dir, hostname(host))));
  const file = env.NODE_EXTRA_CA_CERTS;
  if (file && file !== startupExtraCaFile() && file !== deferredExtraCaFile()) {
    try {
      extra.push(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) throw err;
    }
  }
  const defaults = tlsCaDefaults();
  if (extra.length === 0) return defaults;
  // node:tls only here (~6 ms to load): a plain-HTTP registry never needs it (undici loads it on its first TLS connection)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return [...(defaults ?? (require('node:tls') as typeof import('node:tls')).rootCertificates), ...extra];
}

export function tlsFor(host: string, options: EndpointOptions): TlsSettings {
  const ca = customCaFor(host, options);
  return { ...(ca !== undefined ? { ca } : {}), verify: !isInsecureRegistry(host, options) };
}

/** The schemes to try, in order: https first; http too for loopback and insecure registries. */
export function candidateSchemes(host: string, options: EndpointOptions): Array<'https' | 'http'> {
  if (options.scheme !== undefined) return [options.scheme];
  if (isLoopbackHost(host) || isInsecureRegistry(host, options)) return ['https', 'http'];
  return ['https'];
}

/** Did a TLS attempt fail because the server does not speak TLS (not because of trust)? */
export function isNotTlsError(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && e !== null && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = (e as { code?: string }).code ?? '';
    const message = (e as { message?: string }).message ?? '';
    if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) return false;
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long|ECONNRESET|socket hang up|other side closed/i.test(code + message)) return true;
  }
  return false;
}
