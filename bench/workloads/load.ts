// `load`: a ~1 GiB docker-archive into an empty store. hoist vs `docker load` (cold: the image
// is deleted after each run) vs `skopeo copy docker-archive: oci:` (into an empty layout, layers
// kept uncompressed as hoist and docker keep them).
import { join } from 'node:path';
import { setupImage, type ImageState } from '../fixtures/image-fixture';
import { freshDir, removePath } from '../harness/fresh-dir';
import { defineProcessWorkload } from '../harness/types';
import { removeDockerImage } from './docker-image';
import { KEEP_UNCOMPRESSED } from './skopeo-oci';

export const loadWorkload = defineProcessWorkload<ImageState>({
  kind: 'process',
  name: 'load',
  description: 'Load the generated docker-archive (1 GiB, 7,500 files, 3 uncompressed layers; 20 MiB with --quick) into an empty store.',
  setup: setupImage,
  cases: [
    {
      label: 'hoist load',
      tool: 'hoist',
      before: async (r) => { freshDir(join(r.scratch, 'root')); },
      command: (r) => ({ argv: [...r.tool('hoist'), 'load', '-i', r.state.image.archive], env: { HOIST_ROOT: join(r.scratch, 'root') } }),
      after: async (r) => { removePath(join(r.scratch, 'root')); },
    },
    {
      label: 'docker load (unpacks too)',
      tool: 'docker',
      prepare: (r) => removeDockerImage(r, r.state.image.reference),
      command: (r) => ({ argv: [...r.tool('docker'), 'load', '-i', r.state.image.archive] }),
      after: (r) => removeDockerImage(r, r.state.image.reference),
    },
    {
      label: 'skopeo copy docker-archive: oci:',
      tool: 'skopeo',
      before: async (r) => { removePath(join(r.scratch, 'oci')); },
      command: (r) => ({ argv: [...r.tool('skopeo'), 'copy', ...KEEP_UNCOMPRESSED, `docker-archive:${r.state.image.archive}`, `oci:${join(r.scratch, 'oci')}:bench`] }),
      after: async (r) => { removePath(join(r.scratch, 'oci')); },
    },
  ],
});
