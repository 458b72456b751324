// How the skopeo peer cases write OCI layouts.
/**
 * skopeo gzips layers it writes to an `oci:` layout unless told not to; hoist and docker keep
 * a docker-archive's layers as they are. This flag makes skopeo do the same job.
 */
export const KEEP_UNCOMPRESSED = ['--dest-oci-accept-uncompressed-layers'];
