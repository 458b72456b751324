import { ImageError, isHoistError } from '../errors';
import { registryDigestOf, type Descriptor } from '../oci/descriptor';
import { digestHex } from '../oci/digest';
import type { Platform } from '../oci/platform';
import { formatReference, parseReference, repositoryOf, type Reference } from '../oci/reference';
import { refNameOf, type Store } from '../store';
import { loadImageRecord, type ImageRecord } from './image-record';

export interface ResolvedImage extends ImageRecord {
  /** every full reference that names this image (same index entry digest) */
  names: string[];
  /** the name the input matched, if it matched by name */
  matchedName?: string;
}

const ID_LIKE = /^(?:sha256:)?[0-9a-f]{1,64}$/;

function notFound(input: string): ImageError {
  return new ImageError('IMAGE_NOT_FOUND', `No such image: ${input}`, { reference: input });
}

function namesOf(manifests: Descriptor[], digest: string): string[] {
  return manifests.filter((m) => m.digest === digest).map(refNameOf).filter((n): n is string => n !== undefined);
}

/** the entry is the image `digest` names: its own digest, or its registry manifest's */
function named(entry: Descriptor, digest: string): boolean {
  return entry.digest === digest || registryDigestOf(entry) === digest;
}

/**
 * Find an image the way docker does: by name (normalised), by
 * `name@digest`, or by image ID / unique ID prefix (`sha256:` optional).
 */
export async function resolveImage(store: Store, input: string, platform?: Platform): Promise<ResolvedImage> {
  const { manifests } = await store.index.read();
  let ref: Reference | undefined;
  try {
    ref = parseReference(input);
  } catch (err) {
    if (!isHoistError(err) || !ID_LIKE.test(input)) throw err;
  }
  if (ref !== undefined) {
    const name = formatReference(ref);
    let entry = manifests.find((m) => refNameOf(m) === name);
    if (entry === undefined && ref.digest !== undefined) {
      const repo = repositoryOf(ref);
      entry =
        manifests.find((m) => named(m, ref.digest!) && refNameOf(m)?.startsWith(`${repo}:`)) ?? manifests.find((m) => named(m, ref.digest!));
    }
    if (entry !== undefined) {
      const record = await loadImageRecord(store.content, entry, platform);
      return { ...record, names: namesOf(manifests, entry.digest), matchedName: refNameOf(entry) ?? name };
    }
  }
  if (!ID_LIKE.test(input)) throw notFound(input);
  const prefix = input.startsWith('sha256:') ? input.slice(7) : input;
  const matches = new Map<string, ImageRecord>();
  for (const entry of manifests) {
    if (matches.has(entry.digest)) continue;
    let record: ImageRecord;
    try {
      record = await loadImageRecord(store.content, entry, platform);
    } catch {
      continue; // a broken or foreign entry cannot match by ID
    }
    if (digestHex(record.id).startsWith(prefix) || (input.startsWith('sha256:') && entry.digest === input)) {
      matches.set(entry.digest, record);
    }
  }
  if (matches.size === 0) throw notFound(input);
  const ids = new Set([...matches.values()].map((r) => r.id));
  if (ids.size > 1) {
    throw new ImageError('IMAGE_AMBIGUOUS', `short ID ${input} matches ${ids.size} images; use more digits`, { reference: input, matches: [...ids] });
  }
  const record = [...matches.values()][0]!;
  const names = [...matches.keys()].flatMap((d) => namesOf(manifests, d));
  return { ...record, names };
}
