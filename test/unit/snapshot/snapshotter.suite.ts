import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../src/errors';
import { computeChainIds } from '../../../src/oci';
import { createDiffer, unpackImage, withMount, type DirSnapshotter } from '../../../src/snapshot';
import { Store } from '../../../src/store';
import { buildImage, SAMPLE_STEPS } from '../../helpers/layer-image';
import { describeTree, makeTempDir } from '../../helpers/layer-tree';
import { skipWith } from '../../helpers/capabilities';

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => isHoistError(err) && err.code === code);
}

/** The conformance suite every Snapshotter passes (containerd's testsuite, in small). */
export function snapshotterSuite(name: string, make: (store: Store) => DirSnapshotter, skip: () => Promise<string | undefined>): void {
  describe(`snapshotter conformance: ${name}`, () => {
    let tmp: ReturnType<typeof makeTempDir>;
    let store: Store;
    let sn: DirSnapshotter;
    before(async function () {
      const reason = await skip();
      if (reason !== undefined) {
        skipWith(this, `${reason}`);
      }
    });
    beforeEach(async () => {
      tmp = makeTempDir('hoist-snap-');
      store = await Store.open(path.join(tmp.dir, 'store'));
      sn = make(store);
    });
    afterEach(() => tmp?.cleanup());

    it('unpacks an image once and shows the stacked tree in a view', async () => {
      const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS);
      const first = await unpackImage(store, sn, image);
      assert.equal(first.unpacked, 3);
      const again = await unpackImage(store, sn, image);
      assert.deepEqual([again.unpacked, again.skipped], [0, 3]);
      const top = first.chainIds[2] as string;
      assert.equal((await sn.stat(top)).kind, 'committed');
      const mounts = await sn.view('view-1', top);
      const seen = await withMount(mounts, (root) => describeTree(root));
      assert.deepEqual(seen, await describeTree(image.finalTree));
      assert.equal(fs.readdirSync(store.paths.layers).filter((n) => n.startsWith('.tmp-')).length, 0);
    });

    it('prepare -> change -> diff -> commit gives the layer a fresh unpack gives', async () => {
      const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS.slice(0, 2));
      const { chainIds } = await unpackImage(store, sn, image);
      const parent = chainIds[1] as string;
      const mounts = await sn.prepare('run-1', parent);
      await withMount(mounts, async (root) => {
        fs.writeFileSync(path.join(root, 'etc/os-release'), 'ID=changed\n');
        fs.rmSync(path.join(root, 'app/main.js'));
        fs.mkdirSync(path.join(root, 'new-dir'));
      });
      const differ = createDiffer(store.content);
      const layer = await differ.compare(await sn.mounts(parent), mounts);
      const chainId = computeChainIds([...image.config.rootfs.diff_ids, layer.diffId])[2] as string;
      await sn.commit(chainId, 'run-1');
      await rejectsWith(sn.stat('run-1'), 'SNAPSHOT_NOT_FOUND');
      const viewed = await withMount(await sn.view('v', chainId), (root) => describeTree(root, { mtimes: false }));
      // the same layer applied on a fresh copy of the parent gives the same tree
      const check = await sn.prepare('check', parent);
      const applied1 = await differ.apply(layer.descriptor, check);
      assert.equal(applied1.diffId, layer.diffId);
      const applied = await withMount(check, (root) => describeTree(root, { mtimes: false }));
      assert.deepEqual(applied, viewed);
      assert.ok(viewed.some((r) => r.path === 'new-dir') && !viewed.some((r) => r.path === 'app/main.js'));
    });

    it('refuses what the lifecycle forbids, with coded errors', async () => {
      const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS.slice(0, 1));
      const [base] = (await unpackImage(store, sn, image)).chainIds as [string];
      await sn.prepare('a', base);
      await rejectsWith(sn.prepare('a', base), 'SNAPSHOT_EXISTS');
      await rejectsWith(sn.commit('not-a-chain-id', 'a'), 'SNAPSHOT_NAME_INVALID');
      await sn.view('ro', base);
      await rejectsWith(sn.commit(computeChainIds(image.config.rootfs.diff_ids.concat(image.config.rootfs.diff_ids))[1] as string, 'ro'), 'SNAPSHOT_INVALID_STATE');
      await rejectsWith(sn.remove(base), 'SNAPSHOT_IN_USE');
      await rejectsWith(sn.prepare('b', 'sha256:' + '0'.repeat(64)), 'SNAPSHOT_NOT_FOUND');
      await rejectsWith(sn.prepare('c', 'a'), 'SNAPSHOT_INVALID_STATE');
      const keys: string[] = [];
      await sn.walk((info) => {
        keys.push(`${info.kind}:${info.key}`);
      });
      assert.deepEqual(keys.sort(), [`active:a`, `committed:${base}`, 'view:ro']);
      await sn.remove('a');
      await sn.remove('ro');
      await sn.remove(base);
      await rejectsWith(sn.stat(base), 'SNAPSHOT_NOT_FOUND');
    });

    it('rejects a layer whose diffID differs from the config and leaves no half layer', async () => {
      const image = await buildImage(store, path.join(tmp.dir, 'build'), SAMPLE_STEPS.slice(0, 2));
      const wrong = { ...image.config, rootfs: { type: 'layers' as const, diff_ids: [image.config.rootfs.diff_ids[0], image.config.rootfs.diff_ids[0]] } };
      await rejectsWith(unpackImage(store, sn, { manifest: image.manifest, config: wrong as typeof image.config }), 'LAYER_DIFFID_MISMATCH');
      const names = fs.readdirSync(store.paths.layers).filter((n) => !n.startsWith('.snapshots'));
      assert.equal(names.length, 1, `left: ${names.join(', ')}`);
      assert.deepEqual(fs.readdirSync(path.join(store.paths.layers, '.snapshots')), []);
    });
  });
}
