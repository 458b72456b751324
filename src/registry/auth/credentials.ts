/**
 * What hoist can authenticate with. `identityToken` is an OAuth2 refresh
 * token (docker's `identitytoken`); `registryToken` is a bearer token used as
 * it is. Never logged, never put in errors or details.
 */
export interface Credentials {
  username?: string;
  password?: string;
  identityToken?: string;
  registryToken?: string;
}

/** Looks up credentials for a registry host (`host[:port]`), lazily. */
export type CredentialSource = (host: string) => Promise<Credentials | undefined>;

/** The secrets of a credential, for redacting free text that may echo them. */
export function secretsOf(c: Credentials | undefined): string[] {
  if (c === undefined) return [];
  return [c.password, c.identityToken, c.registryToken].filter((s): s is string => typeof s === 'string' && s !== '');
}

export function hasCredentials(c: Credentials | undefined): c is Credentials {
  return c !== undefined && (c.password !== undefined || c.identityToken !== undefined || c.registryToken !== undefined);
}

/** The key docker uses in config.json for a registry host. */
export function configKeyFor(host: string): string {
  return host === 'docker.io' || host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'https://index.docker.io/v1/' : host;
}

/** Reduce a config.json key (`https://host:5000/v1/`) to `host:5000`. */
export function hostOfConfigKey(key: string): string {
  let k = key.replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return 'docker.io';
  return k;
}
