import { strict as assert } from 'node:assert';
import { isHoistError } from '../../../../src/errors';
import type { ImageConfig } from '../../../../src/oci/manifest';
import {
  ANNOTATION,
  DEFAULT_CAPABILITIES,
  DEFAULT_PATH,
  runtimeSpecProblems,
  toRuntimeSpec,
  volumeSource,
  type RuntimeSpecOptions,
} from '../../../../src/convert';

function image(config: ImageConfig['config'], extra: Partial<ImageConfig> = {}): ImageConfig {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config, ...extra } as ImageConfig;
}

function spec(config: ImageConfig['config'], options: RuntimeSpecOptions = {}, extra: Partial<ImageConfig> = {}) {
  const s = toRuntimeSpec(image(config, extra), options);
  assert.deepEqual(runtimeSpecProblems(s), [], 'every spec toRuntimeSpec makes is valid');
  return s;
}

const app = { uid: 1000, gid: 1000, additionalGids: [50], home: '/home/app', name: 'app' };

describe('toRuntimeSpec', () => {
  it('runs Entrypoint ++ Cmd', () => {
    assert.deepEqual(spec({ Entrypoint: ['/bin/sh', '-c'], Cmd: ['echo hi'] }).process.args, ['/bin/sh', '-c', 'echo hi']);
    assert.deepEqual(spec({ Cmd: ['sh'] }).process.args, ['sh']);
    assert.deepEqual(spec({ Entrypoint: ['/init'], Cmd: null }).process.args, ['/init']);
  });

  it('replaces Cmd with the command given, and --entrypoint clears Cmd as docker does', () => {
    assert.deepEqual(spec({ Entrypoint: ['/e'], Cmd: ['a'] }, { cmd: ['b', 'c'] }).process.args, ['/e', 'b', 'c']);
    assert.deepEqual(spec({ Entrypoint: ['/e'], Cmd: ['a'] }, { entrypoint: ['/x'] }).process.args, ['/x']);
    assert.deepEqual(spec({ Entrypoint: ['/e'], Cmd: ['a'] }, { entrypoint: ['/x'], cmd: ['y'] }).process.args, ['/x', 'y']);
    assert.deepEqual(spec({ Entrypoint: ['/e'], Cmd: ['a'] }, { entrypoint: [], cmd: ['id'] }).process.args, ['id']);
  });

  it('refuses an image with no command (CONVERT_BUNDLE_NO_COMMAND)', () => {
    for (const c of [{}, { Cmd: [] }, { Entrypoint: null, Cmd: null }, undefined]) {
      assert.throws(() => toRuntimeSpec(image(c)), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_NO_COMMAND'));
    }
    assert.throws(() => toRuntimeSpec(image({ Cmd: ['a'] }), { entrypoint: [] }), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_NO_COMMAND'));
  });

  it('keeps Env verbatim and adds PATH only when the image has none', () => {
    assert.deepEqual(spec({ Cmd: ['x'], Env: ['PATH=/opt/bin', 'A=1', 'B=x=y'] }).process.env, ['PATH=/opt/bin', 'A=1', 'B=x=y']);
    assert.deepEqual(spec({ Cmd: ['x'], Env: ['A=1'] }).process.env, [DEFAULT_PATH, 'A=1']);
    assert.deepEqual(spec({ Cmd: ['x'] }, { env: ['A=2', 'C=3'] }).process.env, [DEFAULT_PATH, 'A=2', 'C=3']);
    assert.deepEqual(spec({ Cmd: ['x'], Env: ['A=1', 'B=2'] }, { env: ['A=9'] }).process.env, [DEFAULT_PATH, 'A=9', 'B=2']);
  });

  it('sets cwd from WorkingDir (or -w), / by default', () => {
    assert.equal(spec({ Cmd: ['x'] }).process.cwd, '/');
    assert.equal(spec({ Cmd: ['x'], WorkingDir: '/srv/app' }).process.cwd, '/srv/app');
    assert.equal(spec({ Cmd: ['x'], WorkingDir: '/srv' }, { cwd: '/tmp' }).process.cwd, '/tmp');
  });

  it('sets the resolved user, supplementary groups and HOME (unless the image sets HOME)', () => {
    const s = spec({ Cmd: ['x'] }, { user: app });
    assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [50] });
    assert.ok(s.process.env.includes('HOME=/home/app'));
    const own = spec({ Cmd: ['x'], Env: ['HOME=/data'] }, { user: app });
    assert.deepEqual(own.process.env.filter((e) => e.startsWith('HOME=')), ['HOME=/data']);
    assert.deepEqual(spec({ Cmd: ['x'] }).process.user, { uid: 0, gid: 0 });
  });

  it('writes StopSignal, ExposedPorts, labels, author and created as annotations', () => {
    const s = spec(
      { Cmd: ['x'], StopSignal: 'SIGQUIT', ExposedPorts: { '80/tcp': {}, '53/udp': {} }, Labels: { 'com.example.a': 'b' } },
      {},
      { author: 'me', created: '2024-01-01T00:00:00Z' },
    );
    assert.equal(s.annotations?.[ANNOTATION.stopSignal], 'SIGQUIT');
    assert.equal(s.annotations?.[ANNOTATION.exposedPorts], '53/udp,80/tcp');
    assert.equal(s.annotations?.['com.example.a'], 'b');
    assert.equal(s.annotations?.[ANNOTATION.author], 'me');
    assert.equal(s.annotations?.[ANNOTATION.created], '2024-01-01T00:00:00Z');
    assert.equal(s.annotations?.[ANNOTATION.os], 'linux');
  });

  it('binds each VOLUME to a directory under the bundle (not tmpfs), and -v over a VOLUME wins', () => {
    const s = spec({ Cmd: ['x'], Volumes: { '/data': {}, '/var/lib/db': {} } });
    const vols = s.mounts.filter((m) => m.destination === '/data' || m.destination === '/var/lib/db');
    assert.deepEqual(
      vols.map((m) => [m.destination, m.type, m.source]),
      [
        ['/data', 'bind', volumeSource('/data')],
        ['/var/lib/db', 'bind', volumeSource('/var/lib/db')],
      ],
    );
    assert.ok(vols.every((m) => !m.source!.startsWith('/') && m.source!.startsWith('volumes/')));
    assert.notEqual(volumeSource('/a/b'), volumeSource('/a_b'));
    const over = spec({ Cmd: ['x'], Volumes: { '/data': {} } }, { binds: [{ source: '/host/d', destination: '/data', readonly: true }] });
    const data = over.mounts.filter((m) => m.destination === '/data');
    assert.deepEqual(data, [{ destination: '/data', type: 'bind', source: '/host/d', options: ['rbind', 'ro', 'rprivate'] }]);
  });

  it("has docker's defaults: 14 capabilities, standard mounts, masked and read-only paths, namespaces", () => {
    const s = spec({ Cmd: ['x'] });
    assert.equal(DEFAULT_CAPABILITIES.length, 14);
    assert.deepEqual(s.process.capabilities?.bounding, [...DEFAULT_CAPABILITIES]);
    assert.deepEqual(s.process.capabilities?.effective, [...DEFAULT_CAPABILITIES]);
    assert.ok(!DEFAULT_CAPABILITIES.includes('CAP_SYS_ADMIN'));
    const dests = s.mounts.map((m) => m.destination);
    for (const d of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys']) assert.ok(dests.includes(d), d);
    assert.ok(s.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
    assert.ok(s.linux.maskedPaths!.includes('/proc/kcore'));
    assert.ok(s.linux.readonlyPaths!.includes('/proc/sys'));
    assert.deepEqual(s.linux.namespaces.map((n) => n.type).sort(), ['ipc', 'mount', 'network', 'pid', 'uts']);
    assert.equal(s.root.path, 'rootfs');
    assert.equal(s.process.terminal, false);
  });

  it('binds /etc/hosts, /etc/resolv.conf, /etc/hostname from the bundle and sets the hostname', () => {
    const s = spec({ Cmd: ['x'] }, { hostname: 'box1', etcFiles: { hosts: 'hosts', resolvConf: 'resolv.conf', hostname: 'hostname' } });
    assert.equal(s.hostname, 'box1');
    for (const [dest, src] of [['/etc/hosts', 'hosts'], ['/etc/resolv.conf', 'resolv.conf'], ['/etc/hostname', 'hostname']]) {
      assert.equal(s.mounts.find((m) => m.destination === dest)?.source, src);
    }
    assert.throws(() => toRuntimeSpec(image({ Cmd: ['x'] }), { hostname: 'bad name' }), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_HOSTNAME_INVALID'));
  });

  it('--network host drops the network namespace; none keeps its own', () => {
    assert.ok(!spec({ Cmd: ['x'] }, { network: 'host' }).linux.namespaces.some((n) => n.type === 'network'));
    assert.ok(spec({ Cmd: ['x'] }, { network: 'none' }).linux.namespaces.some((n) => n.type === 'network'));
  });

  it("--rootless: a user namespace mapping the invoking user, no cgroup resources (runc's ToRootless)", () => {
    const s = spec({ Cmd: ['x'] }, { rootless: { uid: 1234, gid: 2345 }, user: { uid: 0, gid: 0, additionalGids: [10], home: '/root' } });
    assert.ok(s.linux.namespaces.some((n) => n.type === 'user'));
    assert.deepEqual(s.linux.uidMappings, [{ containerID: 0, hostID: 1234, size: 1 }]);
    assert.deepEqual(s.linux.gidMappings, [{ containerID: 0, hostID: 2345, size: 1 }]);
    assert.equal(s.linux.resources, undefined);
    assert.equal(s.process.user.additionalGids, undefined);
    assert.ok(!s.mounts.some((m) => m.type === 'cgroup'));
    assert.ok(!s.mounts.find((m) => m.type === 'devpts')!.options!.some((o) => o.startsWith('gid=')));
    assert.deepEqual(s.mounts.find((m) => m.destination === '/sys')?.options?.[0], 'rbind');
    assert.throws(() => toRuntimeSpec(image({ Cmd: ['x'] }), { rootless: { uid: 1, gid: 1 }, user: app }), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_ROOTLESS_USER'));
  });

  it('is pure: the same input gives equal specs, and specs share no objects', () => {
    const img = image({ Cmd: ['x'], Env: ['A=1'], Volumes: { '/v': {} } });
    const a = toRuntimeSpec(img, { user: app });
    const b = toRuntimeSpec(img, { user: app });
    assert.deepEqual(a, b);
    a.process.capabilities!.bounding!.push('CAP_SYS_ADMIN');
    a.mounts[0]!.options!.push('x');
    assert.deepEqual(toRuntimeSpec(img, { user: app }), b);
    assert.deepEqual(img.config?.Env, ['A=1']);
  });

  it('terminal adds TERM=xterm when unset; extra option functions run last', () => {
    const s = spec({ Cmd: ['x'] }, { terminal: true, extra: [(sp) => void (sp.process.noNewPrivileges = true)] });
    assert.equal(s.process.terminal, true);
    assert.ok(s.process.env.includes('TERM=xterm'));
    assert.equal(s.process.noNewPrivileges, true);
  });
});
