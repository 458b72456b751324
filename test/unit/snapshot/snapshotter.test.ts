import { CopySnapshotter, isOverlaySupported, OverlaySnapshotter } from '../../../src/snapshot';
import { snapshotterSuite } from './snapshotter.suite';

snapshotterSuite('copy', (store) => new CopySnapshotter(store.paths), async () => undefined);
snapshotterSuite(
  'overlay',
  (store) => new OverlaySnapshotter(store.paths),
  async () => ((await isOverlaySupported()) ? undefined : 'needs root and overlayfs'),
);
