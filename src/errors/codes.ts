import type { ErrorKind } from './kinds';

/**
 * Every stable error code, its kind and a one-line meaning. A code is never
 * renamed once released. Each area keeps its own section (add new codes to
 * the end of your area's section).
 */
export interface CodeInfo {
  kind: ErrorKind;
  meaning: string;
}

export const CODES = {
  // --- generic ---------------------------------------------------------
  INVALID_ARGUMENT: { kind: 'invalid-argument', meaning: 'an argument is malformed or out of range' },
  USAGE: { kind: 'invalid-argument', meaning: 'the command line is malformed' },
  ABORTED: { kind: 'canceled', meaning: 'the operation was aborted by its AbortSignal' },
  NOT_IMPLEMENTED: { kind: 'failed-precondition', meaning: 'the requested feature is not implemented' },
  IO_ERROR: { kind: 'internal', meaning: 'a filesystem operation failed' },

  // --- oci: digests, descriptors, references, media types -----------------
  DIGEST_INVALID: { kind: 'invalid-argument', meaning: 'a digest string is not algorithm:encoded of a supported algorithm' },
  DIGEST_UNSUPPORTED: { kind: 'invalid-argument', meaning: 'the digest algorithm is not supported' },
  REFERENCE_INVALID: { kind: 'invalid-argument', meaning: 'an image reference does not parse' },
  REFERENCE_NOT_CANONICAL: { kind: 'invalid-argument', meaning: 'a repository name has upper-case letters or an invalid form' },
  MANIFEST_INVALID: { kind: 'invalid-argument', meaning: 'a manifest, index or config is not valid JSON of the expected shape' },
  PLATFORM_INVALID: { kind: 'invalid-argument', meaning: 'a platform string does not parse' },
  PLATFORM_NOT_FOUND: { kind: 'not-found', meaning: 'no manifest in an index matches the requested platform' },

  // --- stream ------------------------------------------------------------
  STREAM_TOO_LARGE: { kind: 'invalid-argument', meaning: 'a stream exceeded its size cap' },
  COMPRESSION_UNSUPPORTED: { kind: 'invalid-argument', meaning: 'the compression format is not supported' },
  COMPRESSION_CORRUPT: { kind: 'invalid-argument', meaning: 'a compressed stream is corrupt or truncated' },

  // --- sys: libc binding, child processes ---------------------------------
  SYS_NATIVE_UNAVAILABLE: { kind: 'unavailable', meaning: 'the libc binding (koffi) cannot load on this platform' },

  // --- store -------------------------------------------------------------
  CONTENT_NOT_FOUND: { kind: 'not-found', meaning: 'a blob is not in the content store' },
  CONTENT_DIGEST_MISMATCH: { kind: 'failed-precondition', meaning: 'content does not hash to the digest that names it' },
  CONTENT_SIZE_MISMATCH: { kind: 'failed-precondition', meaning: 'content does not have the size its descriptor states' },
  CONTENT_ALREADY_EXISTS: { kind: 'already-exists', meaning: 'the blob is already in the content store' },
  INGEST_LOCKED: { kind: 'unavailable', meaning: 'another writer holds the ingest ref' },
  STORE_LOCK_TIMEOUT: { kind: 'unavailable', meaning: 'a store lock could not be taken in time' },
  STORE_CORRUPT: { kind: 'internal', meaning: 'a store record (index.json, oci-layout) is unreadable' },
  STORE_LAYOUT_VERSION: { kind: 'failed-precondition', meaning: 'the store is an OCI layout of an unsupported version' },
  STORE_NO_SPACE: { kind: 'unavailable', meaning: "the store's disk is full (details: path, needed and free bytes)" },

  // --- image: tags, archives --------------------------------------------
  IMAGE_NOT_FOUND: { kind: 'not-found', meaning: 'no image matches the reference' },
  IMAGE_AMBIGUOUS: { kind: 'invalid-argument', meaning: 'a short ID matches more than one image' },
  IMAGE_IN_USE: { kind: 'failed-precondition', meaning: 'the image is referenced in several repositories, or an overlay bundle or container uses it; use --force' },
  ARCHIVE_INVALID: { kind: 'invalid-argument', meaning: 'an image archive is malformed' },
  ARCHIVE_MISSING_BLOB: { kind: 'invalid-argument', meaning: 'an image archive lacks a blob its manifest names' },
  ARCHIVE_UNSUPPORTED: { kind: 'invalid-argument', meaning: 'the archive is of a format hoist cannot read' },

  // --- dockerfile ----------------------------------------------------------
  DOCKERFILE_NOT_FOUND: { kind: 'not-found', meaning: 'the Dockerfile (or its .dockerignore) cannot be read' },
  DOCKERFILE_EMPTY: { kind: 'invalid-argument', meaning: 'the Dockerfile has no instructions' },
  DOCKERFILE_SYNTAX: { kind: 'invalid-argument', meaning: 'a Dockerfile line does not parse (JSON form, ENV/LABEL form, continuation)' },
  DOCKERFILE_LINE_TOO_LONG: { kind: 'invalid-argument', meaning: 'a Dockerfile line is longer than 64 KiB' },
  DOCKERFILE_DIRECTIVE: { kind: 'invalid-argument', meaning: 'a parser directive (syntax, escape, check) is invalid or repeated' },
  DOCKERFILE_HEREDOC: { kind: 'invalid-argument', meaning: 'a heredoc is unterminated or used where none is allowed' },
  DOCKERFILE_UNKNOWN_INSTRUCTION: { kind: 'invalid-argument', meaning: 'an instruction name is not one BuildKit knows' },
  DOCKERFILE_UNKNOWN_FLAG: { kind: 'invalid-argument', meaning: 'an instruction has a --flag it does not accept' },
  DOCKERFILE_FLAG_INVALID: { kind: 'invalid-argument', meaning: 'a --flag value is malformed, missing or repeated' },
  DOCKERFILE_ARGUMENTS: { kind: 'invalid-argument', meaning: 'an instruction has too few, too many or malformed arguments' },
  DOCKERFILE_STAGE_NAME: { kind: 'invalid-argument', meaning: 'a FROM ... AS name is not a valid stage name' },
  DOCKERFILE_NO_STAGE: { kind: 'invalid-argument', meaning: 'an instruction other than ARG comes before the first FROM' },
  DOCKERFILE_ONBUILD_TRIGGER: { kind: 'invalid-argument', meaning: 'ONBUILD wraps an instruction that cannot be a trigger' },
  DOCKERFILE_EXPANSION: { kind: 'invalid-argument', meaning: 'variable expansion of a word failed (bad ${} form, ${x?} unset)' },
  DOCKERFILE_IGNORE_PATTERN: { kind: 'invalid-argument', meaning: 'a .dockerignore pattern is malformed' },
  DOCKERFILE_CHECK_FAILED: { kind: 'failed-precondition', meaning: 'build checks found violations and the check directive asks for error=true' },

  // --- layer ---------------------------------------------------------------
  LAYER_UNSAFE_PATH: { kind: 'invalid-argument', meaning: 'a layer entry names a path outside the root (.., absolute, through a symlink)' },
  LAYER_ROOT_NOT_DIR: { kind: 'invalid-argument', meaning: 'a layer entry would make the root something other than a directory' },
  LAYER_HARDLINK_INVALID: { kind: 'invalid-argument', meaning: 'a hard link names a missing target, a directory, or a path outside the root' },
  LAYER_TAR_INVALID: { kind: 'invalid-argument', meaning: 'a layer tar has a malformed header (checksum, number, PAX record)' },
  LAYER_TAR_TRUNCATED: { kind: 'invalid-argument', meaning: 'a layer tar ends before its end-of-archive marker' },
  LAYER_TAR_UNSUPPORTED: { kind: 'invalid-argument', meaning: 'a layer tar uses an entry type hoist does not extract (GNU sparse, volume, ...)' },
  LAYER_TRAILING_DATA: { kind: 'invalid-argument', meaning: 'non-zero bytes follow the end-of-archive marker of a layer tar' },
  LAYER_TOO_LARGE: { kind: 'invalid-argument', meaning: 'the uncompressed layer exceeds the size limit' },
  LAYER_DIFFID_MISMATCH: { kind: 'failed-precondition', meaning: 'an uncompressed layer does not hash to the diffID the image config names' },
  LAYER_NATIVE_UNAVAILABLE: { kind: 'unavailable', meaning: 'the libc binding for xattrs and device nodes is not available' },
  LAYER_NATIVE_FAILED: { kind: 'internal', meaning: 'an xattr or device node call failed (the errno is in the message)' },
  LAYER_NOT_FOUND: { kind: 'not-found', meaning: 'an image has no layer with the requested index' },

  // --- snapshot ------------------------------------------------------------
  SNAPSHOT_NOT_FOUND: { kind: 'not-found', meaning: 'no snapshot has this key or name' },
  SNAPSHOT_EXISTS: { kind: 'already-exists', meaning: 'a snapshot with this key or name already exists' },
  SNAPSHOT_INVALID_STATE: { kind: 'failed-precondition', meaning: 'the snapshot is of the wrong kind for the operation (commit a view, parent not committed)' },
  SNAPSHOT_IN_USE: { kind: 'failed-precondition', meaning: 'the snapshot is the parent of another snapshot' },
  SNAPSHOT_NAME_INVALID: { kind: 'invalid-argument', meaning: 'committed snapshot names must be chainIDs (sha256:<hex>)' },
  SNAPSHOT_KIND_MISMATCH: { kind: 'failed-precondition', meaning: 'the unpacked layer was written by the other snapshotter' },
  SNAPSHOT_UNSUPPORTED: { kind: 'unavailable', meaning: 'the snapshotter needs what this host lacks (root, overlayfs)' },
  SNAPSHOT_MOUNT_FAILED: { kind: 'internal', meaning: 'mount(2), umount2(2) or the tree copy (cp -a) of a snapshot failed' },

  // --- registry ------------------------------------------------------------
  REGISTRY_UNAUTHORIZED: { kind: 'unauthorized', meaning: 'the registry refused the credentials, or needs some and none were given' },
  REGISTRY_DENIED: { kind: 'permission-denied', meaning: 'the registry denied access to the repository or operation' },
  REGISTRY_NAME_UNKNOWN: { kind: 'not-found', meaning: 'the repository is not known to the registry' },
  REGISTRY_MANIFEST_UNKNOWN: { kind: 'not-found', meaning: 'the manifest (tag or digest) is not in the repository' },
  REGISTRY_BLOB_UNKNOWN: { kind: 'not-found', meaning: 'the blob is not in the repository' },
  REGISTRY_MANIFEST_INVALID: { kind: 'invalid-argument', meaning: 'the registry rejected a manifest, or served one hoist cannot use' },
  REGISTRY_DIGEST_MISMATCH: { kind: 'failed-precondition', meaning: 'bytes from or to the registry do not hash to the digest that names them' },
  REGISTRY_UPLOAD_INVALID: { kind: 'failed-precondition', meaning: 'a blob upload session was refused, lost or out of step' },
  REGISTRY_TOO_MANY_REQUESTS: { kind: 'unavailable', meaning: 'the registry rate-limited the client (429) and retries ran out' },
  REGISTRY_UNAVAILABLE: { kind: 'unavailable', meaning: 'the registry could not be reached or answered 5xx, and retries ran out' },
  REGISTRY_PROTOCOL: { kind: 'internal', meaning: 'the registry answered in a way the distribution spec does not allow' },
  REGISTRY_UNSUPPORTED: { kind: 'failed-precondition', meaning: 'the registry does not support an operation hoist needs' },
  REGISTRY_TLS: { kind: 'failed-precondition', meaning: 'the TLS connection failed (certificate not trusted, or not TLS)' },
  REGISTRY_CREDENTIALS: { kind: 'failed-precondition', meaning: 'a credential store or docker-credential helper failed, or config.json is unreadable' },
  REGISTRY_TOO_MANY_REDIRECTS: { kind: 'failed-precondition', meaning: 'the registry redirected more often than allowed' },
  REGISTRY_CONFIG: { kind: 'invalid-argument', meaning: 'registries.conf (or a drop-in, or daemon.json registry-mirrors) cannot be read or is not valid' },
  REGISTRY_BLOCKED: { kind: 'permission-denied', meaning: 'registries.conf blocks pulls from this registry' },

  // --- runtime -------------------------------------------------------------
  RUNTIME_NOT_FOUND: { kind: 'unavailable', meaning: 'the OCI runtime (runc) is not installed or not on PATH' },
  RUNTIME_FAILED: { kind: 'internal', meaning: 'a runc command failed (its stderr is in the message)' },
  RUNTIME_EXIT_NONZERO: { kind: 'failed-precondition', meaning: 'the container process exited with a non-zero status or was killed by a signal' },
  RUNTIME_CONTAINER_EXISTS: { kind: 'already-exists', meaning: 'a container with that name or ID already exists (use --force or another name)' },
  RUNTIME_CONTAINER_NOT_FOUND: { kind: 'not-found', meaning: 'runc knows no container of that ID' },
  RUNTIME_CONTAINER_NAME_INVALID: { kind: 'invalid-argument', meaning: 'a container name is not [a-zA-Z0-9][a-zA-Z0-9_.-]*' },

  // --- build ---------------------------------------------------------------
  BUILD_TARGET_NOT_FOUND: { kind: 'not-found', meaning: 'the --target stage is not a stage of the Dockerfile' },
  BUILD_BASE_NOT_FOUND: { kind: 'not-found', meaning: 'a FROM or --from image is neither a stage, nor in the store, nor in its registry' },
  BUILD_STAGE_CYCLE: { kind: 'invalid-argument', meaning: 'a stage depends on itself (through FROM or --from)' },
  BUILD_RUN_FAILED: { kind: 'failed-precondition', meaning: 'a RUN command exited with a non-zero status' },
  BUILD_INSTRUCTION_INVALID: { kind: 'invalid-argument', meaning: 'an instruction is not valid once its variables are expanded' },
  BUILD_CONTEXT_INVALID: { kind: 'invalid-argument', meaning: 'the build context or Dockerfile cannot be read' },
  BUILD_OUTPUT_INVALID: { kind: 'invalid-argument', meaning: 'an --output specification is malformed' },
  BUILD_CACHE_IMPORT_INVALID: { kind: 'failed-precondition', meaning: 'a --cache-from layer failed its checks (digest, size or diffID) or could not be fetched: the build runs again without that cache' },
  BUILD_CACHE_EXPORT_FAILED: { kind: 'failed-precondition', meaning: 'a --cache-to export could not be written (ignore-error=true makes it a warning)' },
  BUILD_SECRET_NOT_FOUND: { kind: 'not-found', meaning: 'a RUN --mount=type=secret,required names a secret the build was not given (--secret)' },
  BUILD_SSH_NOT_FOUND: { kind: 'not-found', meaning: 'a RUN --mount=type=ssh,required names an ssh id the build was not given (--ssh)' },
  BUILD_SSH_INVALID: { kind: 'invalid-argument', meaning: 'an --ssh agent cannot be used (no SSH_AUTH_SOCK, a key ssh-add refuses, sockets and keys mixed)' },
  BUILD_ENTITLEMENT_DENIED: { kind: 'permission-denied', meaning: 'a RUN needs an entitlement the build was not granted (--allow security.insecure)' },
  BUILD_CACHE_RECORD_INVALID: { kind: 'internal', meaning: 'a build cache record is unreadable (it is ignored and rewritten)' },
  BUILD_SOURCE_DATE_EPOCH_INVALID: { kind: 'invalid-argument', meaning: 'SOURCE_DATE_EPOCH is not a number of seconds (or `context`)' },
  COPY_SOURCE_NOT_FOUND: { kind: 'not-found', meaning: 'a COPY/ADD source does not exist in the build context or --from tree (a symlink is followed only inside it)' },
  COPY_SOURCE_INVALID: { kind: 'invalid-argument', meaning: 'a COPY/ADD source is of a kind the instruction cannot take (a URL for COPY)' },
  COPY_DEST_CONFLICT: { kind: 'failed-precondition', meaning: 'COPY would replace a directory with a file, or write a directory over a non-directory' },
  COPY_CHOWN_UNKNOWN: { kind: 'failed-precondition', meaning: "a --chown user or group is not in the target's /etc/passwd or /etc/group" },
  COPY_CHOWN_INVALID: { kind: 'invalid-argument', meaning: 'a --chown id is out of range' },
  ADD_URL_FAILED: { kind: 'unavailable', meaning: 'an ADD URL could not be fetched (network error or a non-2xx status)' },
  ADD_CHECKSUM_INVALID: { kind: 'invalid-argument', meaning: 'an ADD --checksum is not sha256:<64 hex digits> (URL) or a hex commit hash (git)' },
  ADD_CHECKSUM_MISMATCH: { kind: 'failed-precondition', meaning: 'what an ADD URL served does not hash to its --checksum, or a git ref does not name the commit --checksum gives' },
  ADD_ARCHIVE_FAILED: { kind: 'failed-precondition', meaning: 'a local archive ADD recognised could not be decompressed' },
  ADD_GIT_REF_INVALID: { kind: 'invalid-argument', meaning: 'an ADD git source has a malformed or conflicting fragment, query or --keep-git-dir' },
  ADD_GIT_REF_NOT_FOUND: { kind: 'not-found', meaning: 'the git repository has no branch, tag or ref by the name ADD asks for' },
  ADD_GIT_FAILED: { kind: 'unavailable', meaning: 'git could not list, fetch or check out an ADD git source (its stderr says why)' },
  ADD_GIT_SSH_UNAVAILABLE: { kind: 'failed-precondition', meaning: 'an ADD git@host: or ssh:// source needs an SSH agent and the build was given none' },

  // --- convert -------------------------------------------------------------
  CONVERT_USER_UNKNOWN: { kind: 'failed-precondition', meaning: "the image's user or group does not exist in its /etc/passwd or /etc/group" },
  CONVERT_USER_INVALID: { kind: 'invalid-argument', meaning: 'a user or group specification is malformed' },
  CONVERT_PATH_LOOP: { kind: 'failed-precondition', meaning: 'too many symbolic links while resolving a path inside an image' },
  CONVERT_FILE_TOO_LARGE: { kind: 'failed-precondition', meaning: 'a file read from an image (passwd, group) is implausibly large' },
  CONVERT_BUNDLE_NO_COMMAND: { kind: 'invalid-argument', meaning: 'the image has no Entrypoint or Cmd and no command was given' },
  CONVERT_BUNDLE_EXISTS: { kind: 'already-exists', meaning: 'the bundle directory exists and is not empty (use --force to replace it)' },
  CONVERT_BUNDLE_SPEC_INVALID: { kind: 'internal', meaning: 'the runtime spec hoist built breaks a rule of the OCI runtime spec' },
  CONVERT_BUNDLE_MOUNT_INVALID: { kind: 'invalid-argument', meaning: 'a volume or bind mount specification is malformed' },
  CONVERT_BUNDLE_HOSTNAME_INVALID: { kind: 'invalid-argument', meaning: 'a hostname is not a valid host name' },
  CONVERT_BUNDLE_ROOTLESS_USER: { kind: 'failed-precondition', meaning: "a rootless bundle cannot run the image's non-root user (only the invoking user is mapped)" },
  CONVERT_BUNDLE_OVERLAY_UNSUPPORTED: { kind: 'failed-precondition', meaning: 'an overlay rootfs needs root, overlayfs and the overlay snapshotter; use --rootfs copy' },
  CONVERT_LXC_NO_COMMAND: { kind: 'failed-precondition', meaning: 'the image has neither Entrypoint nor Cmd, so an LXC container has nothing to run' },
  CONVERT_LXC_NO_INIT: { kind: 'failed-precondition', meaning: "system mode was asked but the image's command is not an init and it has no /sbin/init" },
  CONVERT_LXC_UNENCODABLE: { kind: 'invalid-argument', meaning: "a command argument or config value cannot be written so that LXC's parser gives it back exactly" },
  CONVERT_LXC_EXISTS: { kind: 'already-exists', meaning: 'an LXC container of that name already exists in the lxcpath (use --force to replace it)' },
  CONVERT_LXC_INVALID_NAME: { kind: 'invalid-argument', meaning: 'an LXC container name must be one path component of letters, digits, ".", "_" and "-"' },
  CONVERT_LXC_INVALID_IDMAP: { kind: 'invalid-argument', meaning: 'an --idmap is not CONTAINER_ID:HOST_ID:COUNT, overlaps another, or does not map root' },
  CONVERT_LXC_INVALID_NETWORK: { kind: 'invalid-argument', meaning: 'a --network is not "none" or "veth,link=BRIDGE"' },
  CONVERT_LXC_INVALID_SIGNAL: { kind: 'invalid-argument', meaning: "the image's StopSignal is not a signal name or number" },
  CONVERT_LXC_OVERLAY_UNPRIVILEGED: { kind: 'failed-precondition', meaning: "an overlay rootfs cannot be unprivileged: the store's shared layers are owned by host ids" },
  CONVERT_LXC_OVERLAY_TOO_DEEP: { kind: 'failed-precondition', meaning: "the image's lowerdir list is longer than the kernel's mount-option limit" },
  CONVERT_ROOTFS_UNMAPPED_ID: { kind: 'failed-precondition', meaning: 'a file in the image is owned by a uid or gid that the id map does not cover' },
  CONVERT_INCUS_TOOL_MISSING: { kind: 'failed-precondition', meaning: 'writing the Incus/LXD image tarball needs xz (Debian package xz-utils), which is not installed' },
  CONVERT_LXC_PATH_UNREACHABLE: { kind: 'failed-precondition', meaning: "an unprivileged container's root cannot search the lxcpath or a directory above it (chmod o+x or an ACL fixes it)" },

  // --- pack: a Node.js project to an image ----------------------------------
  PACK_PROJECT_INVALID: { kind: 'invalid-argument', meaning: "the project's package.json is missing or not valid JSON of a package" },
  PACK_LOCKFILE_MISSING: { kind: 'failed-precondition', meaning: 'the project has no package-lock.json or npm-shrinkwrap.json (run npm install)' },
  PACK_LOCKFILE_INVALID: { kind: 'failed-precondition', meaning: 'the lockfile cannot be read, or it is out of sync with package.json (run npm install)' },
  PACK_INSTALL_FAILED: { kind: 'failed-precondition', meaning: 'installing the production tree from the lockfile failed (a package could not be fetched or extracted)' },
  PACK_NATIVE_BUILD_FAILED: { kind: 'failed-precondition', meaning: "a package's install scripts (a native addon build) failed inside the base image" },
  PACK_BASE_NOT_FOUND: { kind: 'not-found', meaning: 'the base image is neither in the store nor pullable from its registry' },
  PACK_NO_ENTRYPOINT: { kind: 'invalid-argument', meaning: 'package.json names no bin, main or `node X` start script, and no --entrypoint was given' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof CODES;
