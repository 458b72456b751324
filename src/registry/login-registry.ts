import { RegistryError } from '../errors';
import type { Credentials } from './auth/credentials';
import { staticCredentials, type DockerConfigOptions } from './auth/docker-config';
import { eraseCredentials, storeCredentials } from './auth/login';
import { RegistryClient, type RegistryClientOptions } from './registry-client';

export interface LoginOptions extends DockerConfigOptions {
  clientOptions?: RegistryClientOptions;
  signal?: AbortSignal;
}

/** `docker.io` for the Hub's names, else the host as given (`host[:port]`). */
export function normalizeRegistryHost(input: string | undefined): string {
  if (input === undefined || input === '') return 'docker.io';
  const h = input.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  return h === 'index.docker.io' || h === 'registry-1.docker.io' ? 'docker.io' : h;
}

/**
 * `hoist login`: check the credentials against the registry (GET /v2/ with
 * its challenge answered), then save them (credential helper or config.json
 * with mode 0600). Fails with REGISTRY_UNAUTHORIZED and saves nothing when
 * the registry refuses them.
 */
export async function login(registry: string, credentials: Credentials, options: LoginOptions = {}): Promise<{ host: string; store: string }> {
  const host = normalizeRegistryHost(registry);
  if (credentials.password === undefined && credentials.identityToken === undefined) {
    throw new RegistryError('REGISTRY_UNAUTHORIZED', `login to ${host}: no password given`, { host });
  }
  const client = await RegistryClient.create(host, { ...options.clientOptions, credentials: staticCredentials({ [host]: credentials }) });
  try {
    await client.ping(options.signal);
  } finally {
    await client.close();
  }
  const { store } = await storeCredentials(host, credentials, options);
  return { host, store };
}

/** `hoist logout`: forget the credentials of a registry. */
export async function logout(registry: string, options: DockerConfigOptions = {}): Promise<{ host: string; removed: boolean }> {
  const host = normalizeRegistryHost(registry);
  return { host, removed: await eraseCredentials(host, options) };
}
