import { UsageError } from '../../../errors';

/** `--cache-from`: where a build may find layers other machines made. */
export type CacheImport = { type: 'registry'; ref: string } | { type: 'local'; src: string; tag: string; digest?: string };

interface ExportCommon {
  /** min: the records of the result's layers; max: those of every stage */
  mode: 'min' | 'max';
  /** a failed export is a warning, not a failed build */
  ignoreError: boolean;
}

/** `--cache-to`: where a build leaves its cache for other machines. */
export type CacheExport =
  | (ExportCommon & { type: 'registry'; ref: string; compression: 'gzip' | 'zstd'; oci: boolean; imageManifest: boolean })
  | (ExportCommon & { type: 'local'; dest: string; tag: string; compression: 'gzip' | 'zstd'; oci: boolean; imageManifest: boolean })
  | (ExportCommon & { type: 'inline' });

/** docker's CSV attributes `k=v,k=v`; a bare word is `ref=` (`--cache-from REF`). */
function attrs(spec: string, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const field of spec.split(',')) {
    if (field.trim() === '') continue;
    const eq = field.indexOf('=');
    if (eq < 0) {
      if (out.size > 0 || spec.split(',').length > 1) throw new UsageError('USAGE', `invalid ${flag} ${JSON.stringify(spec)}: ${JSON.stringify(field)} is not KEY=VALUE`);
      out.set('type', 'registry').set('ref', field.trim());
      continue;
    }
    out.set(field.slice(0, eq).trim().toLowerCase(), field.slice(eq + 1).trim());
  }
  return out;
}

function bool(a: Map<string, string>, key: string, dflt: boolean, flag: string): boolean {
  const v = a.get(key);
  if (v === undefined) return dflt;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new UsageError('USAGE', `invalid ${flag}: ${key} must be true or false, not ${JSON.stringify(v)}`);
}

function need(a: Map<string, string>, key: string, flag: string): string {
  const v = a.get(key);
  if (v === undefined || v === '') throw new UsageError('USAGE', `${flag} type=${a.get('type')} needs ${key}=`);
  return v;
}

/** `--cache-from type=registry,ref=R` | `type=local,src=DIR[,tag=T|digest=D]` | `REF`. */
export function parseCacheImport(spec: string): CacheImport {
  const flag = '--cache-from';
  const a = attrs(spec, flag);
  const type = a.get('type') ?? (a.has('ref') ? 'registry' : undefined);
  if (type === 'registry') return { type, ref: need(a, 'ref', flag) };
  if (type === 'local') return { type, src: need(a, 'src', flag), tag: a.get('tag') ?? 'latest', ...(a.get('digest') ? { digest: a.get('digest')! } : {}) };
  throw new UsageError('USAGE', `invalid ${flag} ${JSON.stringify(spec)}: type must be registry or local`);
}

/** `--cache-to type=registry,ref=R[,mode=,compression=,oci-mediatypes=,image-manifest=,ignore-error=]` | `type=local,dest=DIR` | `type=inline`. */
export function parseCacheExport(spec: string): CacheExport {
  const flag = '--cache-to';
  const a = attrs(spec, flag);
  const mode = a.get('mode') ?? 'min';
  if (mode !== 'min' && mode !== 'max') throw new UsageError('USAGE', `invalid ${flag}: mode must be min or max, not ${JSON.stringify(mode)}`);
  const common: ExportCommon = { mode, ignoreError: bool(a, 'ignore-error', false, flag) };
  const type = a.get('type');
  if (type === 'inline') return { ...common, type };
  if (type !== 'registry' && type !== 'local') throw new UsageError('USAGE', `invalid ${flag} ${JSON.stringify(spec)}: type must be registry, local or inline`);
  const compression = a.get('compression') ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'zstd') throw new UsageError('USAGE', `invalid ${flag}: compression must be gzip or zstd, not ${JSON.stringify(compression)}`);
  const oci = bool(a, 'oci-mediatypes', true, flag);
  const imageManifest = bool(a, 'image-manifest', false, flag);
  if (imageManifest && !oci) throw new UsageError('USAGE', `invalid ${flag}: image-manifest=true needs oci-mediatypes=true`);
  const shared = { ...common, compression, oci, imageManifest } as const;
  if (type === 'registry') return { ...shared, type, ref: need(a, 'ref', flag) };
  return { ...shared, type, dest: need(a, 'dest', flag), tag: a.get('tag') ?? 'latest' };
}
