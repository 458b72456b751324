import type { ImageConfig } from '../../oci/manifest';

/** The image-spec's annotations for config fields the runtime spec has no place for (as umoci writes them). */
export const ANNOTATION = {
  os: 'org.opencontainers.image.os',
  architecture: 'org.opencontainers.image.architecture',
  author: 'org.opencontainers.image.author',
  created: 'org.opencontainers.image.created',
  stopSignal: 'org.opencontainers.image.stopSignal',
  exposedPorts: 'org.opencontainers.image.exposedPorts',
} as const;

/**
 * Labels verbatim, then os, architecture, author, created, StopSignal and
 * ExposedPorts (comma-separated, sorted) when the image sets them.
 */
export function imageAnnotations(image: ImageConfig): Record<string, string> {
  const c = image.config ?? {};
  const out: Record<string, string> = { ...(c.Labels ?? {}) };
  const put = (key: string, value: unknown): void => {
    if (typeof value === 'string' && value !== '') out[key] = value;
  };
  put(ANNOTATION.os, image.os);
  put(ANNOTATION.architecture, image.architecture);
  put(ANNOTATION.author, image.author);
  put(ANNOTATION.created, image.created);
  put(ANNOTATION.stopSignal, c.StopSignal);
  const ports = Object.keys(c.ExposedPorts ?? {}).sort();
  if (ports.length > 0) out[ANNOTATION.exposedPorts] = ports.join(',');
  return out;
}
