import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { isErrno, RegistryError } from '../../errors';
import { writeFileAtomic } from '../../store/atomic-write';
import { helperGet } from './cred-helper';
import { configKeyFor, hostOfConfigKey, type CredentialSource, type Credentials } from './credentials';

/** The parts of `~/.docker/config.json` hoist reads; other keys are kept as they are. */
export interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string; registrytoken?: string; [k: string]: unknown }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [key: string]: unknown;
}

export interface DockerConfigOptions {
  /** the config file; default $DOCKER_CONFIG/config.json or ~/.docker/config.json */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
}

export function dockerConfigPath(options: DockerConfigOptions = {}): string {
  if (options.configPath !== undefined) return options.configPath;
  const env = options.env ?? process.env;
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

export async function readDockerConfig(file: string): Promise<DockerConfig> {
  let raw: string;
  try {
    raw = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return {};
    throw err;
  }
  try {
    const o = JSON.parse(raw) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
    return o as DockerConfig;
  } catch (err) {
    // never echo the file: it holds secrets
    throw new RegistryError('REGISTRY_CREDENTIALS', `${file} is not valid JSON`, { path: file }, { cause: new Error((err as Error).name) });
  }
}

/** Write config.json atomically with mode 0600 (its directory 0700 when created). */
export async function writeDockerConfig(file: string, config: DockerConfig): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFileAtomic(file, `${JSON.stringify(config, null, '\t')}\n`, 0o600);
}

/** The auths entry for a host, matching keys with or without scheme and path. */
export function findAuthsKey(config: DockerConfig, host: string): string | undefined {
  const keys = Object.keys(config.auths ?? {});
  const want = configKeyFor(host);
  return keys.find((k) => k === want) ?? keys.find((k) => hostOfConfigKey(k) === hostOfConfigKey(want));
}

export function helperFor(config: DockerConfig, host: string): string | undefined {
  const helpers = config.credHelpers ?? {};
  const key = Object.keys(helpers).find((k) => hostOfConfigKey(k) === hostOfConfigKey(configKeyFor(host)));
  if (key !== undefined && helpers[key]) return helpers[key];
  return config.credsStore || undefined;
}

function decodeAuth(auth: string): { username: string; password: string } | undefined {
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

/** Credentials for `host` from a parsed config: credHelpers, then credsStore, then auths. */
export async function credentialsFromConfig(config: DockerConfig, host: string, env?: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const helper = helperFor(config, host);
  if (helper !== undefined) {
    const found = await helperGet(helper, configKeyFor(host), env);
    if (found !== undefined) return found;
  }
  const key = findAuthsKey(config, host);
  const entry = key !== undefined ? config.auths?.[key] : undefined;
  if (entry === undefined) return undefined;
  const out: Credentials = {};
  const decoded = typeof entry.auth === 'string' && entry.auth !== '' ? decodeAuth(entry.auth) : undefined;
  if (decoded !== undefined) Object.assign(out, decoded);
  if (typeof entry.username === 'string' && out.username === undefined) out.username = entry.username;
  if (typeof entry.password === 'string' && out.password === undefined) out.password = entry.password;
  if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '') out.identityToken = entry.identitytoken;
  if (typeof entry.registrytoken === 'string' && entry.registrytoken !== '') out.registryToken = entry.registrytoken;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A CredentialSource over ~/.docker/config.json (read on first use per host). */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialSource {
  const file = dockerConfigPath(options);
  return async (host) => credentialsFromConfig(await readDockerConfig(file), host, options.env);
}

/** A fixed source, e.g. from `--username/--password` or a library caller. */
export function staticCredentials(byHost: Record<string, Credentials>): CredentialSource {
  return async (host) => byHost[host];
}
