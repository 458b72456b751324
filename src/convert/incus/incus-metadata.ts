import type { ImageConfig } from '../../oci/manifest';
import { lxcArchOf } from '../lxc/lxc-config';

export interface IncusMetadataOptions {
  /** the image reference, as the user named it */
  reference?: string;
  /** seconds since the epoch; default now */
  creationDate?: number;
}

export interface IncusMetadata {
  /** metadata.yaml's text */
  yaml: string;
  /** templates/<name> -> text */
  templates: Record<string, string>;
}

/** YAML scalar: a JSON string is a valid YAML double-quoted scalar. */
const q = (s: string): string => JSON.stringify(s);

/**
 * The metadata of an Incus/LXD unified image (what distrobuilder writes):
 * `architecture` (kernel name, x86_64), `creation_date` (epoch seconds),
 * `properties` (architecture, description, name, os, release, variant,
 * serial) and `templates` that write /etc/hostname and /etc/hosts from the
 * instance name on create and copy. Pure.
 */
export function incusMetadata(config: ImageConfig, o: IncusMetadataOptions = {}): IncusMetadata {
  const arch = lxcArchOf(config.architecture) ?? config.architecture ?? 'x86_64';
  const labels = config.config?.Labels ?? {};
  const ref = o.reference ?? 'image';
  const [repo, tag = 'latest'] = splitTag(ref);
  const created = o.creationDate ?? Math.floor(Date.now() / 1000);
  const serial = (config.created ?? new Date(created * 1000).toISOString()).replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '_');
  const properties: Record<string, string> = {
    architecture: arch,
    description: labels['org.opencontainers.image.description'] ?? `${ref} (OCI image, converted by hoist)`,
    name: repo.split('/').pop() ?? repo,
    os: labels['org.opencontainers.image.title'] ?? config.os ?? 'linux',
    release: labels['org.opencontainers.image.version'] ?? tag,
    variant: 'default',
    serial,
  };
  const lines = [`architecture: ${q(arch)}`, `creation_date: ${created}`, 'properties:'];
  for (const [k, v] of Object.entries(properties)) lines.push(`  ${k}: ${q(v)}`);
  lines.push('templates:');
  for (const [file, tpl] of [['/etc/hostname', 'hostname.tpl'], ['/etc/hosts', 'hosts.tpl']] as const) {
    lines.push(`  ${file}:`, '    when:', '      - create', '      - copy', `    template: ${tpl}`);
  }
  return {
    yaml: `${lines.join('\n')}\n`,
    templates: {
      'hostname.tpl': '{{ instance.name }}\n',
      'hosts.tpl': '127.0.0.1\tlocalhost\n127.0.1.1\t{{ instance.name }}\n::1\tlocalhost ip6-localhost ip6-loopback\n',
    },
  };
}

function splitTag(ref: string): [string, string?] {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const colon = base.lastIndexOf(':');
  return colon > base.lastIndexOf('/') ? [base.slice(0, colon), base.slice(colon + 1)] : [base];
}
