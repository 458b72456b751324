export { markTopDir, FS_TOPDIR_FL } from './top-dir';
export { libc, hasLibc, makedev, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, MNT_DETACH, type Libc } from './libc';
export { restoreDeferredExtraCa, tlsCaDefaults, tlsCaOption, DEFERRED_EXTRA_CA_ENV } from './extra-ca';
export { runProcess, runProcessSync, runChecked, startProcess, describeExit, STDERR_CAP, STDOUT_CAP, type ProcessOptions, type ProcessResult, type StartOptions } from './run-process';
