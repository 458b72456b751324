import { FrontendFailure } from '../errors';
import { suggest } from '../suggest';
import type { CacheSharing, Device, Mount, MountType } from './types';
import { csvFields, parseGoBool, parseRAMInBytes, parseUint32 } from './values';

const TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

const invalid = (msg: string, hint?: string): FrontendFailure => new FrontendFailure('DOCKERFILE_FLAG_INVALID', msg, hint);
const didYouMean = (word: string, options: readonly string[]): string | undefined => {
  const s = suggest(word, options);
  return s ? `did you mean ${s}?` : undefined;
};

/** Is the `from=` value an attempt at variable expansion (which BuildKit refuses)? */
export function mountFromUsesVariable(spec: string): boolean {
  for (const f of csvFields(spec)) {
    const [k, v] = splitKV(f);
    if (k.toLowerCase() === 'from' && v !== undefined) {
      const i = v.indexOf('$');
      if (i !== -1 && i !== v.length - 1) return true;
    }
  }
  return false;
}

function splitKV(field: string): [string, string | undefined] {
  const i = field.indexOf('=');
  return i < 0 ? [field, undefined] : [field.slice(0, i), field.slice(i + 1)];
}

/**
 * Parse one `--mount` value (already expanded) into a Mount, with BuildKit's
 * rules: bind is the default type, read-only by default except cache and tmpfs,
 * `required` only for secret/ssh, mode/uid/gid only for secret/ssh/cache.
 */
export function parseMount(spec: string): Mount {
  const m: Mount = { type: 'bind', readOnly: false, sizeLimit: 0, required: false };
  let roAuto = true;
  for (const field of csvFields(spec)) {
    const [rawKey, value] = splitKV(field);
    const key = rawKey.toLowerCase();
    const needSecretOrSSH = (): void => {
      if (m.type !== 'secret' && m.type !== 'ssh') throw invalid(`unexpected key '${key}' for mount type '${m.type}'`);
    };
    if (value === undefined) {
      if (key === 'readonly' || key === 'ro') m.readOnly = true;
      else if (key === 'readwrite' || key === 'rw') m.readOnly = false;
      else if (key === 'required') {
        needSecretOrSSH();
        m.required = true;
        continue;
      } else throw invalid(`invalid field '${field}' must be a key=value pair`);
      roAuto = false;
      continue;
    }
    switch (key) {
      case 'type': {
        const t = value.toLowerCase() as MountType;
        if (!TYPES.includes(t)) throw invalid(`unsupported mount type ${JSON.stringify(value)}`, didYouMean(value, TYPES));
        m.type = t;
        break;
      }
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro':
        m.readOnly = parseGoBool(value, key);
        roAuto = false;
        break;
      case 'readwrite':
      case 'rw':
        m.readOnly = !parseGoBool(value, key);
        roAuto = false;
        break;
      case 'required':
        needSecretOrSSH();
        m.required = parseGoBool(value, key);
        break;
      case 'size':
        if (m.type !== 'tmpfs') throw invalid(`unexpected key '${key}' for mount type '${m.type}'`);
        m.sizeLimit = parseRAMInBytes(value, key);
        break;
      case 'id':
        m.id = value;
        break;
      case 'sharing': {
        const s = value.toLowerCase() as CacheSharing;
        if (!SHARING.includes(s)) throw invalid(`unsupported sharing value ${JSON.stringify(value)}`, didYouMean(value, SHARING));
        m.sharing = s;
        break;
      }
      case 'mode':
      case 'uid':
      case 'gid': {
        const n = parseUint32(value, key === 'mode' ? 8 : 10);
        if (n === undefined) throw invalid(`invalid value ${value} for ${key}`);
        m[key] = n;
        break;
      }
      case 'env':
        m.env = value;
        break;
      default:
        throw invalid(`unexpected key '${key}' in '${field}'`, didYouMean(key, KEYS));
    }
  }
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) throw invalid(`${k} not allowed for ${JSON.stringify(m.type)} type mounts`);
    }
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== undefined && m.from !== '') throw invalid('secret mount should not have a from');
    if (m.sharing) throw invalid('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) throw invalid('invalid secret mount. one of source, target required');
    if (m.source && m.id) throw invalid("both source and id can't be set");
  }
  if (m.sharing && m.type !== 'cache') throw invalid(`invalid cache sharing set for ${m.type} mount`);
  return m;
}

/** One `RUN --device=name[,required]`. */
export function parseDevice(spec: string): Device {
  const d: Device = { name: '', required: false };
  for (const field of csvFields(spec)) {
    const [rawKey, value] = splitKV(field);
    const key = rawKey.toLowerCase();
    if (value === undefined && key === 'required') d.required = true;
    else if (key === 'name' && value !== undefined) {
      if (d.name !== '') throw invalid(`device name already set to ${d.name}`);
      d.name = value;
    } else if (key === 'required' && value !== undefined) d.required = parseGoBool(value, key);
    else if (d.name === '') d.name = field;
    else if (value === undefined) throw invalid(`invalid field '${field}' must be a key=value pair`);
    else throw invalid(`unexpected key '${key}' in '${field}'`, didYouMean(key, ['name', 'required']));
  }
  return d;
}
