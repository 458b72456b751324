import type { RuntimeSpec, SpecMount } from './types';

/** The runtime-spec version written into config.json (runc 1.1 reads 1.0.x). */
export const OCI_VERSION = '1.0.2';

/** PATH when the image sets none (docker's and containerd's default). */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's 14 default capabilities (moby oci/caps/defaults.go, containerd populateDefaultUnixSpec). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Paths hidden from the container (docker's defaults). */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** Paths the container sees read-only (docker's defaults). */
export const DEFAULT_READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Docker's standard mounts, in the order runc must mount them. */
export function defaultMounts(): SpecMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  ];
}

/**
 * A fresh spec with docker's defaults: root, `sh`, cwd /, the 14
 * capabilities, the standard mounts, masked and read-only paths, new pid,
 * network, ipc, uts and mount namespaces, every device denied but the ones
 * runc always allows. Every call returns a new object (options mutate it).
 */
export function defaultSpec(): RuntimeSpec {
  const caps = () => [...DEFAULT_CAPABILITIES];
  return {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [],
      cwd: '/',
      capabilities: { bounding: caps(), effective: caps(), permitted: caps() },
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: 'hoist',
    mounts: defaultMounts(),
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: [...DEFAULT_MASKED_PATHS],
      readonlyPaths: [...DEFAULT_READONLY_PATHS],
    },
  };
}
