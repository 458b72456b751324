// `run`: `hoist run --rm IMAGE true` on a busybox image already in the store (start + stop of a
// container: overlay bundle, runc, cleanup) beside `docker run --rm` of the same image (dockerd
// already up, started by the bench; issue 15's target: hoist at most 0.5x). A podman row belongs
// there too when podman is installed. The 1 GiB `hoist bundle` case is the `bundle` workload.
import { join } from 'node:path';
import { makeDockerArchive } from '../../fixtures/images/make-busybox-image';
import { ensureDockerImage } from './docker-image';
import { freshDir } from '../harness/fresh-dir';
import { defineProcessWorkload } from '../harness/types';

const root = (scratch: string): string => join(scratch, 'root');

export const runWorkload = defineProcessWorkload<undefined>({
  kind: 'process',
  name: 'run',
  description: 'hoist run --rm busybox true (image in the store) beside docker run --rm (daemon up, image loaded).',
  setup: async () => undefined,
  cases: [
    {
      label: 'hoist run --rm IMAGE true',
      tool: 'hoist',
      prepare: async (r) => {
        freshDir(root(r.scratch));
        const archive = join(r.scratch, 'busybox.tar');
        await makeDockerArchive(archive, { tags: ['bench-busybox:1'] });
        await r.exec({ argv: [...r.tool('hoist'), 'load', '-i', archive], env: { HOIST_ROOT: root(r.scratch) } });
      },
      command: (r) => ({ argv: [...r.tool('hoist'), 'run', '--rm', 'bench-busybox:1', 'true'], env: { HOIST_ROOT: root(r.scratch) } }),
    },
    {
      label: 'docker run --rm IMAGE true',
      tool: 'docker',
      compareTo: 'hoist run --rm IMAGE true',
      prepare: async (r) => {
        const archive = join(r.scratch, 'busybox.tar');
        await makeDockerArchive(archive, { tags: ['bench-busybox:1'] });
        await ensureDockerImage(r, 'bench-busybox:1', archive);
      },
      // hoist's default network is none (no bridge network): docker gets the same
      command: (r) => ({ argv: [...r.tool('docker'), 'run', '--rm', '--network', 'none', 'bench-busybox:1', 'true'] }),
    },
  ],
});
