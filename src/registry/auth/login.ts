import { helperErase, helperStore } from './cred-helper';
import { configKeyFor, type Credentials } from './credentials';
import { dockerConfigPath, findAuthsKey, helperFor, readDockerConfig, writeDockerConfig, type DockerConfigOptions } from './docker-config';

/**
 * Save credentials for `host` as docker does: in the credential helper the
 * config names for it (credHelpers / credsStore), else base64 `auth` in
 * config.json, written atomically with mode 0600. Verifying them against the
 * registry is the caller's step (`login` in login-registry.ts).
 */
export async function storeCredentials(host: string, c: Credentials, options: DockerConfigOptions = {}): Promise<{ store: string }> {
  const file = dockerConfigPath(options);
  const config = await readDockerConfig(file);
  const key = configKeyFor(host);
  const helper = helperFor(config, host);
  if (helper !== undefined) {
    await helperStore(helper, key, c, options.env);
    // docker keeps an empty auths entry so `docker info`-style listings see the host
    config.auths = { ...(config.auths ?? {}), [findAuthsKey(config, host) ?? key]: {} };
    await writeDockerConfig(file, config);
    return { store: `docker-credential-${helper}` };
  }
  const auths = { ...(config.auths ?? {}) };
  const existing = findAuthsKey(config, host);
  if (existing !== undefined && existing !== key) delete auths[existing];
  auths[key] =
    c.identityToken !== undefined
      ? { auth: Buffer.from(`${c.username ?? ''}:`).toString('base64'), identitytoken: c.identityToken }
      : { auth: Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64') };
  config.auths = auths;
  await writeDockerConfig(file, config);
  return { store: file };
}

/** Remove what `storeCredentials` saved; false when there was nothing. */
export async function eraseCredentials(host: string, options: DockerConfigOptions = {}): Promise<boolean> {
  const file = dockerConfigPath(options);
  const config = await readDockerConfig(file);
  let removed = false;
  const helper = helperFor(config, host);
  if (helper !== undefined) removed = (await helperErase(helper, configKeyFor(host), options.env)) || removed;
  const key = findAuthsKey(config, host);
  if (key !== undefined && config.auths !== undefined) {
    const auths = { ...config.auths };
    delete auths[key];
    config.auths = auths;
    await writeDockerConfig(file, config);
    removed = true;
  }
  return removed;
}
