import { LayerError, throwIfAborted } from '../errors';
import type { Digest } from '../oci/digest';
import type { ImageConfig, ImageManifest } from '../oci/manifest';
import type { ContentReader } from '../store/types';
import { DecompressAuto } from '../stream/compression-detect';
import { normalizeEntryName } from './apply/safe-path';
import { parseWhiteout } from './apply/whiteouts';
import { readTar } from './tar/tar-reader';
import type { EntryType } from './tar/tar-header';

export interface FileChange {
  path: string;
  type: EntryType;
  /** bytes of the file (for a removed directory: of everything it held) */
  size: number;
}

/** What one layer does to the tree below it (`hoist diff REF [--layer N]`). */
export interface LayerChanges {
  index: number;
  digest: Digest;
  diffId?: Digest;
  /** compressed size of the blob */
  size: number;
  added: FileChange[];
  changed: FileChange[];
  removed: FileChange[];
  addedBytes: number;
  changedBytes: number;
  removedBytes: number;
}

interface Known {
  type: EntryType;
  size: number;
}

/**
 * Reads an image's layers in order (headers only; bodies are skipped) and
 * reports, per layer, the paths it adds, changes (already present below) and
 * removes (whiteouts; opaque directories remove what lower layers held and
 * this layer did not write). Directories that only carry changed children are
 * not reported as changed. With `layer`, only that layer is reported (lower
 * layers are still read, to know what exists).
 */
export async function describeLayerChanges(
  content: ContentReader,
  image: { manifest: ImageManifest; config?: ImageConfig },
  options: { layer?: number; signal?: AbortSignal } = {},
): Promise<LayerChanges[]> {
  const { layers } = image.manifest;
  const last = options.layer ?? layers.length - 1;
  if (!Number.isInteger(last) || last < 0 || last >= layers.length) {
    throw new LayerError('LAYER_NOT_FOUND', `image has ${layers.length} layers; there is no layer ${options.layer}`, { layer: options.layer, layers: layers.length });
  }
  const tree = new Map<string, Known>();
  const out: LayerChanges[] = [];
  for (let i = 0; i <= last; i++) {
    throwIfAborted(options.signal);
    const desc = layers[i] as ImageManifest['layers'][number];
    const report: LayerChanges = { index: i, digest: desc.digest, size: desc.size, added: [], changed: [], removed: [], addedBytes: 0, changedBytes: 0, removedBytes: 0 };
    const diffId = image.config?.rootfs.diff_ids[i];
    if (diffId !== undefined) report.diffId = diffId;
    const written = new Set<string>();
    const opaque: string[] = [];
    const remove = (target: string): void => {
      let size = 0;
      const type = tree.get(target)?.type;
      for (const [p, k] of tree) {
        if (p === target || p.startsWith(`${target}/`)) {
          size += k.size;
          tree.delete(p);
        }
      }
      if (type !== undefined) report.removed.push({ path: target, type, size });
    };
    const blob = await content.open(desc, options.signal ? { signal: options.signal } : {});
    const source = blob.pipe(new DecompressAuto());
    blob.once('error', (err) => source.destroy(err)); // a digest mismatch surfaces through the reader
    await readTar(source, (h) => {
      const p = normalizeEntryName(h.name);
      const wh = parseWhiteout(p);
      if (wh?.kind === 'delete') remove(wh.target);
      else if (wh?.kind === 'opaque') opaque.push(wh.dir);
      else if (wh === undefined && p !== '') {
        const before = tree.get(p);
        const change = { path: p, type: h.type, size: h.type === 'file' ? h.size : 0 };
        if (before === undefined) report.added.push(change);
        else if (!(before.type === 'dir' && h.type === 'dir')) report.changed.push(change);
        tree.set(p, { type: h.type, size: change.size });
        written.add(p);
      }
      return undefined;
    });
    for (const dir of opaque) {
      for (const p of [...tree.keys()]) if (p.startsWith(dir === '' ? '' : `${dir}/`) && !written.has(p) && tree.has(p)) remove(p);
    }
    if (options.layer === undefined || options.layer === i) out.push(report);
  }
  for (const r of out) {
    r.addedBytes = r.added.reduce((n, c) => n + c.size, 0);
    r.changedBytes = r.changed.reduce((n, c) => n + c.size, 0);
    r.removedBytes = r.removed.reduce((n, c) => n + c.size, 0);
  }
  return out;
}
