import { Annotation, type Descriptor } from '../oci/descriptor';
import type { Digest } from '../oci/digest';
import type { IndexStore } from './index-store';

/** The full normalised reference an index entry is tagged with, if any. */
export function refNameOf(desc: Descriptor): string | undefined {
  return desc.annotations?.[Annotation.RefName];
}

function withoutRefName(desc: Descriptor): Descriptor {
  const annotations = { ...(desc.annotations ?? {}) };
  delete annotations[Annotation.RefName];
  const out: Descriptor = { ...desc };
  if (Object.keys(annotations).length > 0) out.annotations = annotations;
  else delete out.annotations;
  return out;
}

/**
 * Point `name` (a full normalised reference) at `desc`. The image that had
 * the name before keeps an untagged ("dangling") entry if nothing else names
 * it, as docker keeps `<none>` images. Returns the previous target's digest.
 */
export async function setTag(index: IndexStore, name: string, desc: Descriptor): Promise<Digest | undefined> {
  // already so (a rebuild that changed nothing): no lock. Reads need none (index.json is only
  // replaced by a rename), and the update below would leave this index as it is.
  const current = (await index.read()).manifests.find((m) => refNameOf(m) === name);
  if (current !== undefined && current.digest === desc.digest) return current.digest;
  return index.update((manifests) => {
    const i = manifests.findIndex((m) => refNameOf(m) === name);
    const previous = i >= 0 ? manifests[i] : undefined;
    if (previous !== undefined && previous.digest === desc.digest) return { result: previous.digest };
    const entry: Descriptor = { ...withoutRefName(desc), annotations: { ...(desc.annotations ?? {}), [Annotation.RefName]: name } };
    let next = manifests.filter((m, j) => j !== i);
    // an untagged entry of the same image is superseded by the tag
    next = next.filter((m) => !(m.digest === desc.digest && refNameOf(m) === undefined));
    if (previous !== undefined && !next.some((m) => m.digest === previous.digest)) next.push(withoutRefName(previous));
    next.push(entry);
    return { manifests: next, result: previous?.digest };
  });
}

/** Add an untagged entry for `desc` unless an entry for it exists. */
export function addUntagged(index: IndexStore, desc: Descriptor): Promise<void> {
  return index.update((manifests) => {
    if (manifests.some((m) => m.digest === desc.digest)) return { result: undefined };
    return { manifests: [...manifests, withoutRefName(desc)], result: undefined };
  });
}

export interface UntagResult {
  removed: boolean;
  /** the image has no entry left (all names gone) */
  deleted: boolean;
  digest?: Digest;
}

/** Remove the entry named `name`. */
export function removeTag(index: IndexStore, name: string): Promise<UntagResult> {
  return index.update<UntagResult>((manifests) => {
    const i = manifests.findIndex((m) => refNameOf(m) === name);
    if (i < 0) return { result: { removed: false, deleted: false } };
    const digest = manifests[i]!.digest;
    const next = manifests.filter((_, j) => j !== i);
    return { manifests: next, result: { removed: true, deleted: !next.some((m) => m.digest === digest), digest } };
  });
}

/** Remove every entry (tagged or not) whose digest is `digest`. Returns the names removed. */
export function removeImageEntries(index: IndexStore, digest: Digest): Promise<string[]> {
  return index.update((manifests) => {
    const names = manifests.filter((m) => m.digest === digest).map((m) => refNameOf(m) ?? '');
    if (names.length === 0) return { result: [] };
    return { manifests: manifests.filter((m) => m.digest !== digest), result: names.filter((n) => n !== '') };
  });
}
