import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ConvertError } from '../../errors';
import { runChecked } from '../../sys/run-process';
import type { ImageConfig, ImageManifest } from '../../oci/manifest';
import type { Store } from '../../store/store';
import { applyImageRootfs } from '../rootfs/apply-image-rootfs';
import { incusMetadata, type IncusMetadataOptions } from './incus-metadata';

export interface IncusImageOptions extends IncusMetadataOptions {
  /** an unshifted rootfs of this image to pack (else the layers are applied into a temp dir) */
  rootfs?: string;
  signal?: AbortSignal;
}

/**
 * Write an Incus/LXD unified image: one tar.xz with `metadata.yaml`,
 * `templates/` and `rootfs/` (owners numeric and unshifted: Incus shifts
 * itself; xattrs kept), as distrobuilder's `build-lxd` does. Written to a
 * temp file beside `file`, renamed at the end.
 */
export async function writeIncusImage(
  store: Store,
  image: { manifest: ImageManifest; config: ImageConfig },
  file: string,
  o: IncusImageOptions = {},
): Promise<void> {
  await runChecked(['xz', '--version']).catch(() => {
    throw new ConvertError('CONVERT_INCUS_TOOL_MISSING', 'writing an Incus/LXD image needs xz (Debian package xz-utils)', {});
  });
  const staging = await fs.mkdtemp(path.join(path.dirname(file), '.hoist-incus-'));
  const tmpFile = path.join(staging, 'image.tar.xz');
  try {
    const meta = incusMetadata(image.config, o);
    await fs.writeFile(path.join(staging, 'metadata.yaml'), meta.yaml);
    await fs.mkdir(path.join(staging, 'templates'));
    for (const [name, text] of Object.entries(meta.templates)) await fs.writeFile(path.join(staging, 'templates', name), text);
    let rootfs = o.rootfs;
    if (rootfs === undefined) {
      rootfs = path.join(staging, 'rootfs');
      await applyImageRootfs(store, image, rootfs, o.signal ? { signal: o.signal } : {});
    }
    const tarArgs = ['--create', '--xz', '--numeric-owner', '--xattrs', '--xattrs-include=*', '--sparse', '-f', tmpFile, '-C', staging, 'metadata.yaml', 'templates'];
    tarArgs.push('-C', rootfs, '--transform', 'flags=rh;s,^\\.,rootfs,', '.');
    await runChecked(['tar', ...tarArgs], { env: { ...process.env, XZ_OPT: '-T0' }, stdout: 'ignore', ...(o.signal ? { signal: o.signal } : {}) });
    await fs.rename(tmpFile, file);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
