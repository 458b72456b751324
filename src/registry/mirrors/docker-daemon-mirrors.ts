import * as fs from 'node:fs';
import { isErrno, RegistryError } from '../../errors';

export const DOCKER_DAEMON_JSON = '/etc/docker/daemon.json';

/**
 * docker's `registry-mirrors` (daemon.json): mirrors of Docker Hub only, as
 * URLs with a scheme and no path (moby's ValidateMirror). [] when the file or
 * the key is absent.
 */
export function dockerRegistryMirrors(file: string): URL[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
    throw new RegistryError('REGISTRY_CONFIG', `${file}: cannot read: ${(err as Error).message}`, { path: file }, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RegistryError('REGISTRY_CONFIG', `${file} is not valid JSON`, { path: file });
  }
  const list = (doc as { 'registry-mirrors'?: unknown } | null)?.['registry-mirrors'];
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new RegistryError('REGISTRY_CONFIG', `${file}: registry-mirrors must be an array of URLs`, { path: file });
  return list.map((v: unknown) => {
    let u: URL;
    try {
      u = new URL(String(v));
    } catch {
      throw new RegistryError('REGISTRY_CONFIG', `${file}: invalid mirror: ${JSON.stringify(v)} is not a valid URI`, { path: file });
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RegistryError('REGISTRY_CONFIG', `${file}: invalid mirror: unsupported scheme in ${JSON.stringify(v)}`, { path: file });
    if ((u.pathname !== '' && u.pathname !== '/') || u.search !== '' || u.hash !== '' || u.username !== '' || u.password !== '') {
      throw new RegistryError('REGISTRY_CONFIG', `${file}: invalid mirror: path, query, fragment or credentials in ${JSON.stringify(u.origin)}`, { path: file });
    }
    return u;
  });
}
