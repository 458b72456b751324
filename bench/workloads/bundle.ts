// `bundle`: `hoist bundle --rootfs overlay` of the 1 GiB / 7,500-file image already unpacked in the
// store (the target: < 1 s, no copy; was the second case of `run`).
import { join } from 'node:path';
import { setupImage, type ImageState } from '../fixtures/image-fixture';
import { freshDir } from '../harness/fresh-dir';
import { defineProcessWorkload } from '../harness/types';

const root = (scratch: string): string => join(scratch, 'root');

export const bundleWorkload = defineProcessWorkload<ImageState>({
  kind: 'process',
  name: 'bundle',
  description: 'hoist bundle --rootfs overlay of the 1 GiB image (layers unpacked).',
  setup: setupImage,
  cases: [
    {
      label: 'hoist bundle --rootfs overlay (1 GiB image)',
      tool: 'hoist',
      prepare: async (r) => {
        freshDir(root(r.scratch));
        const env = { HOIST_ROOT: root(r.scratch) };
        await r.exec({ argv: [...r.tool('hoist'), 'load', '-i', r.state.image.archive], env });
        // unpack the layers once (unmeasured): the measured runs find them in the store
        await r.exec({ argv: [...r.tool('hoist'), 'bundle', '--rootfs', 'overlay', r.state.image.reference, join(r.scratch, 'warm')], env });
        await r.exec({ argv: ['umount', join(r.scratch, 'warm', 'rootfs')] });
      },
      before: async (r) => {
        await r.exec({ argv: ['rm', '-rf', join(r.scratch, 'bundle')] });
      },
      command: (r) => ({
        argv: [...r.tool('hoist'), 'bundle', '--rootfs', 'overlay', r.state.image.reference, join(r.scratch, 'bundle')],
        env: { HOIST_ROOT: root(r.scratch) },
      }),
      after: async (r) => {
        await r.exec({ argv: ['umount', join(r.scratch, 'bundle', 'rootfs')] });
      },
    },
  ],
});
