export { libc, hasLibc, makedev, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, MNT_DETACH, type Libc } from './libc';
export { runProcess, runProcessSync, runChecked, startProcess, describeExit, STDERR_CAP, STDOUT_CAP, type ProcessOptions, type ProcessResult, type StartOptions } from './run-process';
