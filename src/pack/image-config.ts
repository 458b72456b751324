import type { ContainerConfig, HistoryEntry, ImageConfig } from '../oci/manifest';
import type { Digest } from '../oci/digest';
import type { PackageManifest } from './read-project';

export interface PackConfigOptions {
  base: ImageConfig;
  manifest: PackageManifest;
  entrypoint: string[];
  user: string;
  /** the layers pack/ adds, bottom first: history text and diffId */
  layers: Array<{ createdBy: string; diffId: Digest }>;
  /** ISO time of every history entry and of `created` */
  created: string;
}

/** `git+https://host/o/r.git` -> `https://host/o/r` (the label wants a browsable URL). */
export function sourceUrl(repo: PackageManifest['repository']): string | undefined {
  const url = typeof repo === 'string' ? repo : repo?.url;
  if (url === undefined || url === '') return undefined;
  const m = /^github:(.+)$/.exec(url) ?? /^([\w.-]+\/[\w.-]+)$/.exec(url);
  if (m) return `https://github.com/${m[1]!.replace(/\.git$/, '')}`;
  return url.replace(/^git\+/, '').replace(/^git:\/\//, 'https://').replace(/\.git$/, '');
}

function labelsOf(m: PackageManifest): Record<string, string> {
  const out: Record<string, string> = {};
  if (m.name) out['org.opencontainers.image.title'] = m.name;
  if (m.version) out['org.opencontainers.image.version'] = m.version;
  if (typeof m.description === 'string' && m.description !== '') out['org.opencontainers.image.description'] = m.description;
  const source = sourceUrl(m.repository);
  if (source) out['org.opencontainers.image.source'] = source;
  if (m.license) out['org.opencontainers.image.licenses'] = m.license;
  return out;
}

function withEnv(env: string[] | undefined, key: string, value: string): string[] {
  return [...(env ?? []).filter((e) => !e.startsWith(`${key}=`)), `${key}=${value}`];
}

/**
 * The packed image's config: the base's, with WorkingDir /app, node as the
 * Entrypoint (no Cmd: the base's `node` REPL Cmd would become its argument),
 * NODE_ENV=production, a non-root user, the package's OCI labels, and one
 * history entry per added layer.
 */
export function packConfig(o: PackConfigOptions): ImageConfig {
  const base = o.base.config ?? {};
  const config: ContainerConfig = {
    ...base,
    Env: withEnv(base.Env, 'NODE_ENV', 'production'),
    WorkingDir: '/app',
    Entrypoint: o.entrypoint,
    User: o.user,
    Labels: { ...(base.Labels ?? {}), ...labelsOf(o.manifest) },
  };
  delete config.Cmd;
  const history: HistoryEntry[] = [...(o.base.history ?? []), ...o.layers.map((l) => ({ created: o.created, created_by: l.createdBy, comment: 'hoist pack' }))];
  const out: ImageConfig = {
    ...o.base,
    created: o.created,
    config,
    rootfs: { type: 'layers', diff_ids: [...o.base.rootfs.diff_ids, ...o.layers.map((l) => l.diffId)] },
    history,
  };
  return Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]])) as ImageConfig;
}
