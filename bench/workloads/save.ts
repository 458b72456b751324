// `save`: an image already in the store out to a docker-archive. hoist (store loaded once) vs
// `docker save` (image loaded once) vs `skopeo copy oci: docker-archive:` (layout copied once).
import { join } from 'node:path';
import { setupImage, type ImageState } from '../fixtures/image-fixture';
import { removePath } from '../harness/fresh-dir';
import { defineProcessWorkload, type RunContext } from '../harness/types';
import { ensureDockerImage, removeDockerImage } from './docker-image';
import { KEEP_UNCOMPRESSED } from './skopeo-oci';

const output = (r: RunContext<ImageState>): string => join(r.scratch, 'saved.tar');
const hoistRoot = (r: RunContext<ImageState>): Record<string, string> => ({ HOIST_ROOT: join(r.scratch, 'root') });
const dropOutput = async (r: RunContext<ImageState>): Promise<void> => { removePath(output(r)); };

export const saveWorkload = defineProcessWorkload<ImageState>({
  kind: 'process',
  name: 'save',
  description: 'Save the generated image (1 GiB, 7,500 files, 3 layers; 20 MiB with --quick) from the store to a docker-archive.',
  setup: setupImage,
  cases: [
    {
      label: 'hoist save',
      tool: 'hoist',
      prepare: async (r) => { await r.exec({ argv: [...r.tool('hoist'), 'load', '-i', r.state.image.archive], env: hoistRoot(r) }); },
      before: dropOutput,
      command: (r) => ({ argv: [...r.tool('hoist'), 'save', r.state.image.reference, '-o', output(r)], env: hoistRoot(r) }),
      after: dropOutput,
    },
    {
      label: 'docker save',
      tool: 'docker',
      prepare: (r) => ensureDockerImage(r, r.state.image.reference, r.state.image.archive),
      before: dropOutput,
      command: (r) => ({ argv: [...r.tool('docker'), 'save', r.state.image.reference, '-o', output(r)] }),
      after: dropOutput,
      cleanup: (r) => removeDockerImage(r, r.state.image.reference),
    },
    {
      label: 'skopeo copy oci: docker-archive:',
      tool: 'skopeo',
      prepare: async (r) => {
        await r.exec({ argv: [...r.tool('skopeo'), 'copy', ...KEEP_UNCOMPRESSED, `docker-archive:${r.state.image.archive}`, `oci:${join(r.scratch, 'oci')}:bench`] });
      },
      before: dropOutput,
      command: (r) => ({
        argv: [...r.tool('skopeo'), 'copy', `oci:${join(r.scratch, 'oci')}:bench`, `docker-archive:${output(r)}:${r.state.image.reference}`],
      }),
      after: dropOutput,
    },
  ],
});
