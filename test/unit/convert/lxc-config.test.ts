import { strict as assert } from 'node:assert';
import {
  chooseLxcCommand,
  fstabEscape,
  normalizeStopSignal,
  parseLxcNetwork,
  parseLxcValue,
  renderLxcConfig,
  splitLxcCommand,
  toLxcConfig,
  volumeDirName,
  type LxcConfigOptions,
} from '../../../src/convert';
import { isHoistError } from '../../../src/errors';
import type { ContainerConfig } from '../../../src/oci/manifest';

const user = { uid: 1000, gid: 1000, additionalGids: [50, 29], home: '/home/app', name: 'app' };
const base = (over: Partial<LxcConfigOptions> = {}): LxcConfigOptions => ({
  name: 'c1',
  rootfsPath: 'dir:/var/lib/lxc/c1/rootfs',
  command: { mode: 'app', key: 'lxc.execute.cmd', argv: ['sh', '-c', 'echo "a b"'] },
  user,
  ...over,
});
const values = (lines: { key: string; text: string }[], key: string): string[] => lines.filter((l) => l.key === key).map((l) => parseLxcValue(l.text));

describe('convert/lxc/lxc-config (pure image config -> LXC config lines)', () => {
  it('maps command, user, groups, cwd, env, signals, network and hostname', () => {
    const image: ContainerConfig = { Env: ['A=1', 'B= trailing ', 'NOEQUALS', 'PATH=/bin'], WorkingDir: '/srv/my app', StopSignal: 'TERM' };
    const lines = toLxcConfig(image, base());
    assert.deepEqual(splitLxcCommand(values(lines, 'lxc.execute.cmd')[0]!), ['sh', '-c', 'echo "a b"']);
    assert.deepEqual(values(lines, 'lxc.init.cmd'), []);
    assert.deepEqual(values(lines, 'lxc.init.uid'), ['1000']);
    assert.deepEqual(values(lines, 'lxc.init.gid'), ['1000']);
    assert.deepEqual(values(lines, 'lxc.init.groups'), ['50,29']);
    assert.deepEqual(values(lines, 'lxc.init.cwd'), ['/srv/my app']);
    assert.deepEqual(values(lines, 'lxc.environment'), ['A=1', 'B= trailing ', 'PATH=/bin'], 'one line per variable, values exact, no host copy for NOEQUALS');
    assert.deepEqual(values(lines, 'lxc.signal.halt'), ['SIGTERM']);
    assert.deepEqual(values(lines, 'lxc.signal.stop'), ['SIGKILL']);
    assert.deepEqual(values(lines, 'lxc.net.0.type'), ['empty']);
    assert.deepEqual(values(lines, 'lxc.uts.name'), ['c1']);
    assert.deepEqual(values(lines, 'lxc.idmap'), []);
    assert.ok(!values(lines, 'lxc.include').some((v) => v.endsWith('userns.conf')));
  });

  it('an empty Env writes no lxc.environment line at all', () => {
    assert.deepEqual(values(toLxcConfig({ Env: [] }, base()), 'lxc.environment'), []);
    assert.ok(!renderLxcConfig(toLxcConfig({}, base())).includes('lxc.environment'));
  });

  it('system mode writes lxc.init.cmd (never execute.cmd), and the image StopSignal as halt', () => {
    const lines = toLxcConfig({ StopSignal: 'SIGRTMIN+3' }, base({ command: { mode: 'system', key: 'lxc.init.cmd', argv: ['/sbin/init'] } }));
    assert.deepEqual(values(lines, 'lxc.init.cmd'), ['/sbin/init']);
    assert.deepEqual(values(lines, 'lxc.execute.cmd'), []);
    assert.deepEqual(values(lines, 'lxc.signal.halt'), ['SIGRTMIN+3']);
    assert.deepEqual(values(toLxcConfig({}, base({ command: { mode: 'system', key: 'lxc.init.cmd', argv: ['/sbin/init'] } })), 'lxc.signal.halt'), [], 'LXC default (SIGPWR) for an init');
  });

  it('unprivileged: userns.conf and one u and one g idmap line per range', () => {
    const lines = toLxcConfig({}, base({ idMap: [{ containerId: 0, hostId: 100000, count: 65536 }, { containerId: 70000, hostId: 300000, count: 10 }] }));
    assert.ok(values(lines, 'lxc.include').includes('/usr/share/lxc/config/userns.conf'));
    assert.deepEqual(values(lines, 'lxc.idmap'), ['u 0 100000 65536', 'u 70000 300000 10', 'g 0 100000 65536', 'g 70000 300000 10']);
  });

  it('veth network and volumes as fstab-escaped bind mount entries', () => {
    const lines = toLxcConfig({}, base({ network: parseLxcNetwork('veth,link=br0'), volumes: [{ source: '/l/c1/volumes/my data', target: '/my data' }] }));
    assert.deepEqual(values(lines, 'lxc.net.0.type'), ['veth']);
    assert.deepEqual(values(lines, 'lxc.net.0.link'), ['br0']);
    assert.deepEqual(values(lines, 'lxc.mount.entry'), ['/l/c1/volumes/my\\040data my\\040data none rbind,create=dir 0 0']);
    assert.equal(fstabEscape('a\\b\tc'), 'a\\134b\\011c');
    assert.throws(() => parseLxcNetwork('bridge'), (e: unknown) => isHoistError(e, 'CONVERT_LXC_INVALID_NETWORK'));
    assert.deepEqual(parseLxcNetwork('none'), { type: 'empty' });
  });

  it('chooses the command: init -> system, none -> error, system without init -> /sbin/init or error', () => {
    assert.equal(chooseLxcCommand({ Cmd: ['/sbin/init'] }, undefined, false).key, 'lxc.init.cmd');
    assert.equal(chooseLxcCommand({ Entrypoint: ['/lib/systemd/systemd'] }, undefined, false).mode, 'system');
    assert.equal(chooseLxcCommand({ Cmd: ['nginx', '-g', 'daemon off;'] }, undefined, true).key, 'lxc.execute.cmd');
    assert.deepEqual(chooseLxcCommand({ Cmd: ['nginx'] }, 'system', true).argv, ['/sbin/init']);
    assert.throws(() => chooseLxcCommand({ Cmd: ['nginx'] }, 'system', false), (e: unknown) => isHoistError(e, 'CONVERT_LXC_NO_INIT'));
    assert.throws(() => chooseLxcCommand({ Cmd: null, Entrypoint: null }, undefined, true), (e: unknown) => isHoistError(e, 'CONVERT_LXC_NO_COMMAND'));
    assert.deepEqual(chooseLxcCommand({ Entrypoint: ['/e'], Cmd: ['x y'] }, 'app', true).argv, ['/e', 'x y']);
  });

  it('normalises StopSignal and refuses nonsense', () => {
    assert.equal(normalizeStopSignal('term'), 'SIGTERM');
    assert.equal(normalizeStopSignal('SIGUSR2'), 'SIGUSR2');
    assert.equal(normalizeStopSignal('9'), '9');
    for (const bad of ['SIGFOO', '0', '65', 'RTMIN+99', '']) assert.throws(() => normalizeStopSignal(bad), (e: unknown) => isHoistError(e, 'CONVERT_LXC_INVALID_SIGNAL'), bad);
  });

  it('renders comments and lines; volume dir names are one to one', () => {
    const text = renderLxcConfig([{ key: 'lxc.uts.name', text: 'x' }], ['from a\nb']);
    assert.equal(text, '# from a b\nlxc.uts.name = x\n');
    assert.notEqual(volumeDirName('/a_b'), volumeDirName('/a/b'));
    assert.equal(volumeDirName('/var/lib/data'), 'var_lib_data');
  });
});
