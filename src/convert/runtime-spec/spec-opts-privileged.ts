import type { SpecOpt } from './types';

/** Linux capabilities by number (linux/capability.h), CAP_CHOWN = 0 to CAP_CHECKPOINT_RESTORE = 40. */
const CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

/** The capabilities in a mask such as /proc/self/status's CapBnd (read by the caller): containerd's WithAllCurrentCapabilities. */
export function capabilitiesIn(mask: bigint): string[] {
  return CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

/**
 * A privileged process, as BuildKit's `security.insecure` (entitlements'
 * WithInsecureSpec) and runc's privileged containers: every capability the
 * caller has (its bounding set), no masked or read-only paths, no seccomp profile, every device
 * allowed, /sys writable.
 */
export function withPrivileged(capabilities: readonly string[]): SpecOpt {
  return (spec) => {
    const caps = (): string[] => [...capabilities];
    spec.process.capabilities = { bounding: caps(), effective: caps(), permitted: caps() };
    spec.linux.maskedPaths = [];
    spec.linux.readonlyPaths = [];
    delete (spec.linux as { seccomp?: unknown }).seccomp;
    spec.linux.resources = { ...(spec.linux.resources ?? {}), devices: [{ allow: true, access: 'rwm' }] };
    spec.mounts = spec.mounts.map((m) => (m.type === 'sysfs' ? { ...m, options: ['nosuid', 'noexec', 'nodev', 'rw'] } : m));
  };
}
