import { RegistryError } from '../../errors';
import { runProcess } from '../../sys';
import type { Credentials } from './credentials';

const HELPER_OUTPUT_MAX = 64 * 1024;

interface HelperResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function runHelper(name: string, verb: 'get' | 'store' | 'erase', input: string, env?: NodeJS.ProcessEnv): Promise<HelperResult> {
  const program = `docker-credential-${name}`;
  const r = await runProcess([program, verb], { stdin: input, env: env ?? process.env }).catch((err: Error) => {
    throw new RegistryError('REGISTRY_CREDENTIALS', `cannot run credential helper ${program}: ${err.message}`, { helper: program }, { cause: err });
  });
  return { code: r.code, stdout: r.stdout.slice(0, HELPER_OUTPUT_MAX), stderr: r.stderr.slice(-HELPER_OUTPUT_MAX) };
}

function helperFailed(name: string, verb: string, r: HelperResult): RegistryError {
  // the helper's output may echo what it was given: keep only its first line, no stdout
  const said = (r.stderr.trim() || r.stdout.trim()).split('\n')[0]?.slice(0, 200) ?? '';
  return new RegistryError('REGISTRY_CREDENTIALS', `docker-credential-${name} ${verb} failed (exit ${r.code}): ${said}`, {
    helper: `docker-credential-${name}`,
    verb,
    exitCode: r.code,
  });
}

const NOT_FOUND = /credentials not found/i;

/** `docker-credential-<name> get`: undefined when the helper has nothing for the host. */
export async function helperGet(name: string, serverUrl: string, env?: NodeJS.ProcessEnv): Promise<Credentials | undefined> {
  const r = await runHelper(name, 'get', serverUrl, env);
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.stdout) || NOT_FOUND.test(r.stderr)) return undefined;
    throw helperFailed(name, 'get', r);
  }
  let o: { Username?: unknown; Secret?: unknown };
  try {
    o = JSON.parse(r.stdout) as typeof o;
  } catch {
    throw new RegistryError('REGISTRY_CREDENTIALS', `docker-credential-${name} get printed something other than JSON`, { helper: `docker-credential-${name}` });
  }
  if (typeof o.Secret !== 'string' || o.Secret === '') return undefined;
  if (o.Username === '<token>') return { identityToken: o.Secret };
  return { ...(typeof o.Username === 'string' ? { username: o.Username } : {}), password: o.Secret };
}

export async function helperStore(name: string, serverUrl: string, c: Credentials, env?: NodeJS.ProcessEnv): Promise<void> {
  const payload = c.identityToken !== undefined ? { ServerURL: serverUrl, Username: '<token>', Secret: c.identityToken } : { ServerURL: serverUrl, Username: c.username ?? '', Secret: c.password ?? '' };
  const r = await runHelper(name, 'store', JSON.stringify(payload), env);
  if (r.code !== 0) throw helperFailed(name, 'store', r);
}

export async function helperErase(name: string, serverUrl: string, env?: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await runHelper(name, 'erase', serverUrl, env);
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.stdout) || NOT_FOUND.test(r.stderr)) return false;
    throw helperFailed(name, 'erase', r);
  }
  return true;
}
