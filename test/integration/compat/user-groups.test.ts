import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { honoursInitGroupsInUserns, installedLxcVersion } from '../../../src/convert';
import { busyboxLayer, makeDockerArchive, type FileSpec } from '../../../fixtures/images/make-busybox-image';
import { skipWith } from '../../helpers/capabilities';
import { dockerUnavailable, startDockerd, type DockerDaemon } from '../../helpers/docker-daemon';
import { runHoist } from '../../helpers/hoist-cli';
import { ensureRootSubids, LxcSandbox, requireLxc } from '../../helpers/lxc-host';
import { runBundle, RuntimeJanitor, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';

// `u` (1000:1000) is in `extra`; `self` is listed as a member of its own primary group too.
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nu:x:1000:1000:u:/home/u:/bin/sh\nself:x:1001:1001::/:/bin/sh\n';
const GROUP = 'root:x:0:\nwheel:x:10:root\nu:x:1000:\nself:x:1001:self\nextra:x:3000:u,self\nother:x:4000:\n';

function layer(): FileSpec[] {
  return [...busyboxLayer().filter((f) => f.path !== 'etc/passwd' && f.path !== 'etc/group'), { path: 'etc/passwd', content: PASSWD }, { path: 'etc/group', content: GROUP }];
}

interface Case {
  user: string;
  groupAdd?: string[];
  /** what `docker run [-u USER] [--group-add G]... IMAGE id` prints (recorded from dockerd 20.10; rechecked below when dockerd runs here) */
  id: string;
}

const CASES: Case[] = [
  { user: '', id: 'uid=0(root) gid=0(root) groups=0(root),10(wheel)' },
  { user: 'u', id: 'uid=1000(u) gid=1000(u) groups=1000(u),3000(extra)' },
  { user: '1000', id: 'uid=1000(u) gid=1000(u) groups=1000(u),3000(extra)' },
  { user: '1000:1000', id: 'uid=1000(u) gid=1000(u) groups=1000(u)' },
  { user: 'u:extra', id: 'uid=1000(u) gid=3000(extra) groups=3000(extra)' },
  { user: 'u:4000', id: 'uid=1000(u) gid=4000(other) groups=4000(other)' },
  { user: 'root:extra', id: 'uid=0(root) gid=3000(extra) groups=3000(extra)' },
  { user: '2000', id: 'uid=2000 gid=0(root) groups=0(root)' },
  { user: '2000:2000', id: 'uid=2000 gid=2000 groups=2000' },
  { user: 'self', id: 'uid=1001(self) gid=1001(self) groups=1001(self),3000(extra)' },
  { user: 'u', groupAdd: ['other', '5000'], id: 'uid=1000(u) gid=1000(u) groups=1000(u),3000(extra),4000(other),5000' },
  { user: 'u', groupAdd: ['extra', '3000'], id: 'uid=1000(u) gid=1000(u) groups=1000(u),3000(extra)' },
  { user: 'u:other', groupAdd: ['extra'], id: 'uid=1000(u) gid=4000(other) groups=3000(extra),4000(other)' },
];

const tagOf = (c: Case): string => `grp-${c.user.replace(/:/g, '-') || 'default'}:1`;
const userFlags = (c: Case): string[] => [...(c.user !== '' ? ['-u', c.user] : []), ...(c.groupAdd ?? []).flatMap((g) => ['--group-add', g])];

describe('supplementary groups as docker gives them (USER, -u, --group-add): hoist run, hoist bundle + runc, hoist lxc + lxc-execute', function () {
  this.timeout(300_000);
  const sb = new LxcSandbox();
  const archive = path.join(tmpDir(), 'grp.tar');

  before(async () => {
    // one image per USER (the same layer), for what has no -u: LXC containers
    const users = [...new Set(CASES.map((c) => c.user))];
    await makeDockerArchive(archive, { tags: ['grp:1'], layers: [layer()], config: { Cmd: ['id'] } });
    for (const user of users) await sb.load({ tags: [tagOf({ user, id: '' })], layers: [layer()], config: { Cmd: ['id'], User: user } });
    const loaded = await sb.hoist(['load', '-i', archive]);
    assert.equal(loaded.code, 0, loaded.stderr);
  });
  afterEach(() => sb.cleanup());

  it('the table is what `docker run … id` prints (private dockerd)', async function () {
    const why = dockerUnavailable();
    if (why !== undefined) skipWith(this, why);
    let docker: DockerDaemon | undefined;
    try {
      docker = await startDockerd();
      await docker.docker(['load', '-i', archive]);
      for (const c of CASES) {
        const { stdout } = await docker.docker(['run', '--rm', '--network', 'none', ...userFlags(c), 'grp:1', 'id']);
        assert.equal(stdout.trim(), c.id, `docker run ${userFlags(c).join(' ')}`);
      }
    } finally {
      await docker?.stop();
    }
  });

  it('hoist run -u … --group-add … prints the same', async function () {
    const why = await runtimeUnavailable();
    if (why !== undefined) skipWith(this, why);
    for (const c of CASES) {
      const r = await runHoist(['run', '--rm', ...userFlags(c), 'grp:1', 'id'], { root: sb.root });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), c.id, `hoist run ${userFlags(c).join(' ')}`);
    }
  });

  it('hoist bundle (the image USER, and -u) run by runc prints the same', async function () {
    const why = await runtimeUnavailable();
    if (why !== undefined) skipWith(this, why);
    const janitor = new RuntimeJanitor();
    try {
      for (const c of CASES.filter((x) => x.groupAdd === undefined)) {
        for (const args of [[tagOf(c)], [...userFlags(c), 'grp:1']]) {
          const dir = janitor.bundle(path.join(tmpDir(), 'bundle'));
          const b = await runHoist(['bundle', ...args, dir], { root: sb.root });
          assert.equal(b.code, 0, b.stderr);
          const r = await runBundle(janitor, dir);
          assert.equal(r.status, 0, r.stderr);
          assert.equal(r.stdout.trim(), c.id, `hoist bundle ${args.join(' ')}`);
        }
      }
    } finally {
      await janitor.cleanup();
    }
  });

  it('hoist lxc (lxc.init.groups) run by lxc-execute prints the same, privileged and unprivileged', async function () {
    requireLxc(this);
    ensureRootSubids();
    // LXC before 6.0.6 (Debian 12 has 5.0.2) skips lxc.init.groups in a user namespace
    // (fixed by lxc commit 9e6caeab, "start: Respect lxc.init.groups also in new user namespace"):
    // there the process holds no supplementary groups at all, whatever the config says.
    const version = await installedLxcVersion();
    const honoursGroupsInUserns = version !== undefined && honoursInitGroupsInUserns(version);
    for (const c of CASES.filter((x) => x.groupAdd === undefined)) {
      for (const unprivileged of [false, true]) {
        if (unprivileged && !['', 'u', 'self'].includes(c.user)) continue;
        const name = sb.name('grp');
        const res = await sb.hoist(['lxc', tagOf(c), '--name', name, '--lxcpath', sb.lxcpath, ...(unprivileged ? ['--unprivileged'] : [])]);
        assert.equal(res.code, 0, res.stderr);
        const gids = [...c.id.matchAll(/[=,](\d+)(?:\([^)]*\))?/g)].slice(2).map((m) => m[1]);
        assert.match(fs.readFileSync(path.join(sb.lxcpath, name, 'config'), 'utf8'), new RegExp(`^lxc\\.init\\.groups = ${gids.join(',')}$`, 'm'));
        const run = sb.lxc('lxc-execute', name);
        assert.equal(run.code, 0, run.stderr);
        const ignored = unprivileged && !honoursGroupsInUserns;
        const hasExtra = gids.some((g) => g !== /gid=(\d+)/.exec(c.id)![1]);
        assert.equal(/warning: \/etc\/group: LXC \S+ ignores lxc\.init\.groups in an unprivileged container/.test(res.stderr), ignored && hasExtra, res.stderr);
        const want = ignored ? c.id.replace(/ groups=.*$/, '') : c.id;
        assert.equal(run.stdout.trim(), want, `USER ${c.user}${unprivileged ? ' --unprivileged' : ''}`);
      }
    }
  });
});
