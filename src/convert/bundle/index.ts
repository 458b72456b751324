export { writeBundle, type BundleOptions, type Bundle } from './write-bundle';
export { removeBundle, unmountBundle } from './remove-bundle';
export { populateRootfs, bundleOverlayMount, type RootfsKind } from './bundle-rootfs';
