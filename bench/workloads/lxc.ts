// `lxc`: the ~1 GiB, 7,500-file image (already in the store) to an LXC container.
// hoist `--rootfs copy` vs the lxc-oci template's path (skopeo copy docker-archive: oci: +
// umoci unpack), and hoist `--rootfs overlay` (the store's unpacked layers; unpacked once in
// prepare, so a run measures the conversion, not the unpack). skopeo runs as lxc-oci runs it,
// gzipping layers into the layout: umoci 0.4 unpacks only gzip layers.
import { join } from 'node:path';
import { setupImage, type ImageState } from '../fixtures/image-fixture';
import { freshDir, removePath } from '../harness/fresh-dir';
import { defineProcessWorkload, type ProcessCase, type RunContext } from '../harness/types';

const store = (r: RunContext<ImageState>): string => join(r.scratch, 'store');
const lxcpath = (r: RunContext<ImageState>): string => join(r.scratch, 'lxc');

function hoistCase(rootfs: 'copy' | 'overlay'): ProcessCase<ImageState> {
  const argv = (r: RunContext<ImageState>): string[] => [...r.tool('hoist'), 'lxc', r.state.image.reference, '--name', 'bench', '--lxcpath', lxcpath(r), '--rootfs', rootfs];
  return {
    label: `hoist lxc --rootfs ${rootfs}`,
    tool: 'hoist',
    prepare: async (r) => {
      freshDir(store(r));
      await r.exec({ argv: [...r.tool('hoist'), 'load', '-i', r.state.image.archive], env: { HOIST_ROOT: store(r) } });
      if (rootfs === 'overlay') await r.exec({ argv: argv(r), env: { HOIST_ROOT: store(r) } }); // unpack the layers once
    },
    before: async (r) => { removePath(lxcpath(r)); },
    command: (r) => ({ argv: argv(r), env: { HOIST_ROOT: store(r) } }),
    after: async (r) => { removePath(lxcpath(r)); },
    cleanup: async (r) => { removePath(store(r)); },
  };
}

export const lxcWorkload = defineProcessWorkload<ImageState>({
  kind: 'process',
  name: 'lxc',
  description: 'Convert the generated image (1 GiB, 7,500 files; in the store) into an LXC container: hoist --rootfs copy vs skopeo copy + umoci unpack (the lxc-oci path), and --rootfs overlay.',
  setup: setupImage,
  cases: [
    hoistCase('copy'),
    {
      label: 'lxc-oci path: skopeo copy docker-archive: oci: + umoci unpack',
      tool: 'umoci',
      needs: ['skopeo'],
      compareTo: 'hoist lxc --rootfs copy',
      before: async (r) => { removePath(join(r.scratch, 'oci')); removePath(join(r.scratch, 'bundle')); },
      command: (r) => ({
        argv: [
          process.execPath,
          join(__dirname, 'lxc-oci-path.js'),
          JSON.stringify([...r.tool('skopeo'), 'copy', `docker-archive:${r.state.image.archive}`, `oci:${join(r.scratch, 'oci')}:bench`]),
          JSON.stringify([...r.tool('umoci'), '--log=error', 'unpack', '--image', `${join(r.scratch, 'oci')}:bench`, join(r.scratch, 'bundle')]),
        ],
      }),
      after: async (r) => { removePath(join(r.scratch, 'oci')); removePath(join(r.scratch, 'bundle')); },
    },
    hoistCase('overlay'),
  ],
});
