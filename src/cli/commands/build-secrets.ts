import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../../errors';
import { ENTITLEMENTS, type Entitlement, type SecretSource } from '../../build/types';

/** BuildKit's cap on a secret's size (secretsprovider.MaxSecretSize). */
const MAX_SECRET_BYTES = 500 * 1024;

function fieldsOf(spec: string, flag: string, keys: readonly string[]): Map<string, string> {
  const fields = new Map<string, string>();
  for (const f of spec.split(',')) {
    const eq = f.indexOf('=');
    if (eq < 0) throw new UsageError('USAGE', `invalid ${flag} ${JSON.stringify(spec)}: field ${JSON.stringify(f)} must be a key=value pair`);
    const key = f.slice(0, eq).trim().toLowerCase();
    if (!keys.includes(key)) throw new UsageError('USAGE', `invalid ${flag} ${JSON.stringify(spec)}: unexpected key '${key}' in '${f}'`);
    fields.set(key, f.slice(eq + 1));
  }
  return fields;
}

/**
 * docker's `--secret id=ID[,src=PATH|,env=VAR][,type=file|env]` (buildx's
 * parseSecret and BuildKit's secretsprovider.NewStore): with neither src nor
 * env, the variable named ID when it is set, else the file ID. Files are
 * checked now (stat, 500 KiB at most); values are read only when a RUN uses them.
 */
export function parseSecrets(list: string[], cwd: string, env: NodeJS.ProcessEnv): Record<string, SecretSource> {
  const out: Record<string, SecretSource> = {};
  for (const spec of list) {
    const f = fieldsOf(spec, '--secret', ['type', 'id', 'src', 'source', 'env']);
    const type = f.get('type');
    if (type !== undefined && type !== 'file' && type !== 'env') throw new UsageError('USAGE', `invalid --secret ${JSON.stringify(spec)}: unsupported secret type ${JSON.stringify(type)}`);
    const id = f.get('id');
    if (id === undefined || id === '') throw new UsageError('USAGE', `invalid --secret ${JSON.stringify(spec)}: secret missing ID`);
    let file = f.get('src') ?? f.get('source');
    let envName = f.get('env');
    if (type === 'env' && (envName === undefined || envName === '')) {
      envName = file ?? id;
      file = undefined;
    }
    if ((file === undefined || file === '') && (envName === undefined || envName === '')) {
      if (Object.hasOwn(env, id)) envName = id;
      else file = id;
    }
    if (envName !== undefined && envName !== '') {
      out[id] = { env: envName };
      continue;
    }
    const abs = path.resolve(cwd, file!);
    let size: number;
    try {
      size = fs.statSync(abs).size;
    } catch (err) {
      throw new UsageError('USAGE', `invalid --secret ${JSON.stringify(spec)}: failed to stat ${abs}: ${(err as Error).message}`);
    }
    if (size > MAX_SECRET_BYTES) throw new UsageError('USAGE', `secret ${id} too big. max size 500kB`);
    out[id] = { file: abs };
  }
  return out;
}

/** docker's `--ssh default|ID[=SOCKET|KEY[,KEY]]`: id -> absolute paths (none: $SSH_AUTH_SOCK). */
export function parseSsh(list: string[], cwd: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const spec of list) {
    const eq = spec.indexOf('=');
    const id = eq < 0 ? spec : spec.slice(0, eq);
    if (id === '' || Object.hasOwn(out, id)) throw new UsageError('USAGE', `invalid --ssh ${JSON.stringify(spec)}: ${id === '' ? 'empty id' : `duplicate agent ID ${JSON.stringify(id)}`}`);
    out[id] = eq < 0 ? [] : spec.slice(eq + 1).split(',').filter((p) => p !== '').map((p) => path.resolve(cwd, p));
  }
  return out;
}

/** `--allow security.insecure` (and `network.host`, always allowed here). */
export function parseAllow(list: string[]): Entitlement[] {
  return list.flatMap((item) => item.split(',')).map((e) => {
    if (!(ENTITLEMENTS as readonly string[]).includes(e)) throw new UsageError('USAGE', `invalid --allow ${JSON.stringify(e)}: want ${ENTITLEMENTS.join(' or ')}`);
    return e as Entitlement;
  });
}
