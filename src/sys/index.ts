export { libc, hasLibc, makedev, MS_BIND, MS_RDONLY, MS_REC, MS_REMOUNT, MNT_DETACH, type Libc } from './libc';
