import { hasKind, isHoistError } from '../../errors';
import type { Descriptor } from '../../oci/descriptor';
import { formatReference, type Reference } from '../../oci/reference';
import { pullSources, type MirrorSettings, type PullSource } from '../mirrors/pull-sources';
import { RegistryClient, type RegistryClientOptions } from '../registry-client';

export interface OpenSourceOptions {
  /** a client to use as it is (no mirrors): its host must be the reference's registry */
  client?: RegistryClient;
  clientOptions?: RegistryClientOptions;
  /** registries.conf / daemon.json mirrors (default: the system's files); false: none */
  mirrors?: MirrorSettings | false;
  signal?: AbortSignal;
}

/** The source that answered: its client (the caller closes it unless it was given), its reference, and the resolved descriptor. */
export interface OpenedSource {
  client: RegistryClient;
  source: PullSource;
  top: Descriptor;
}

function clientOptionsFor(s: PullSource, base: RegistryClientOptions): RegistryClientOptions {
  const o: RegistryClientOptions = { ...base };
  if (s.scheme !== undefined) o.scheme = s.scheme;
  if (s.insecure) o.insecureRegistries = [...(base.insecureRegistries ?? []), s.reference.domain];
  // a mirror that is down should not hold the pull for the whole retry budget
  if (s.mirror) o.retry = { maxAttempts: 2, ...base.retry };
  return o;
}

/**
 * Resolve `ref` at the first source that answers: each mirror in order, then
 * the registry itself (containers/image's pull sources). Any failure of a
 * mirror (down, 5xx, unknown manifest, refused credentials) falls through to
 * the next; the registry's own failure is the pull's. Everything after the
 * resolve comes from the source that answered.
 */
export async function openSource(ref: Reference, options: OpenSourceOptions = {}): Promise<OpenedSource> {
  const base = options.clientOptions ?? {};
  const sources: PullSource[] = options.client !== undefined ? [{ reference: ref, mirror: false, insecure: false }] : pullSources(ref, options.mirrors ?? { ...(base.env ? { env: base.env } : {}) });
  const skipped: string[] = [];
  for (const [i, source] of sources.entries()) {
    const r = source.reference;
    let client: RegistryClient | undefined = options.client;
    try {
      client ??= await RegistryClient.create(r.domain, clientOptionsFor(source, base));
      const top = await client.resolve(r.path, r.digest ?? r.tag ?? 'latest', options.signal);
      if (source.mirror) base.debug?.(`pulling ${formatReference(ref)} from the mirror ${formatReference(r)}`);
      return { client, source, top };
    } catch (err) {
      if (options.client === undefined) await client?.close();
      if (i === sources.length - 1 || hasKind(err, 'canceled')) {
        if (skipped.length > 0 && isHoistError(err)) err.details.mirrorsTried = skipped;
        throw err;
      }
      const why = isHoistError(err) ? `${err.code}: ${err.message}` : String(err);
      skipped.push(`${formatReference(r)}: ${why}`);
      base.debug?.(`mirror ${r.domain} failed for ${formatReference(ref)} (${why}); trying the next source`);
    }
  }
  throw new Error('unreachable: the registry itself is always the last source');
}
