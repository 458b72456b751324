import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runHoist } from '../../helpers/hoist-cli';
import { tmpDir } from '../../helpers/tmp';
import { busyboxStore, makeContext } from './build-helpers';

describe('hoist build: RUN --network, --security and bind rw', function () {
  this.timeout(180_000);
  let root: string;

  before(async function () {
    root = await busyboxStore(this, 'hoist-run-flags-');
  });

  /** Build `files` to a local rootfs; returns a reader of its files, or the failed result. */
  const build = async (files: Record<string, string>, flags: string[] = []) => {
    const out = tmpDir('hoist-run-flags-out-');
    const r = await runHoist(['build', '--progress', 'plain', '-o', `type=local,dest=${out}`, ...flags, makeContext(files)], { root });
    return { ...r, read: (f: string): string => fs.readFileSync(path.join(out, f), 'utf8').trim(), has: (f: string): boolean => fs.existsSync(path.join(out, f)) };
  };

  it('RUN --network=none has only loopback; =host and =default see the host interfaces', async () => {
    const hostIfaces = fs.readdirSync('/sys/class/net').sort();
    assert.ok(hostIfaces.some((i) => i !== 'lo'), 'the host needs an interface besides lo for this test');
    const r = await build({
      Dockerfile: [
        'FROM base',
        'RUN --network=none ls /sys/class/net | sort > /none',
        'RUN --network=host ls /sys/class/net | sort > /host',
        'RUN --network=default ls /sys/class/net | sort > /default',
        '',
      ].join('\n'),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.read('none'), 'lo');
    assert.equal(r.read('host'), hostIfaces.join('\n'));
    assert.equal(r.read('default'), hostIfaces.join('\n'));
    const flagNone = await build({ Dockerfile: 'FROM base\nRUN ls /sys/class/net > /default\nRUN --network=host ls /sys/class/net | sort > /host\n' }, ['--network', 'none']);
    assert.equal(flagNone.read('default'), 'lo', '--network none is the default of RUN');
    assert.equal(flagNone.read('host'), hostIfaces.join('\n'), 'RUN --network=host wins over the build flag');
  });

  it('RUN --security=insecure is refused without --allow security.insecure, and runs privileged with it', async () => {
    const files = {
      Dockerfile: [
        'FROM base',
        'RUN --security=insecure grep CapEff /proc/self/status | cut -f2 > /capeff && mkdir -p /m && mount -t tmpfs none /m && echo mounted > /mount-ok; umount /m 2>/dev/null; true',
        'RUN grep CapEff /proc/self/status | cut -f2 > /sandbox-capeff; mkdir -p /n && mount -t tmpfs none /n 2>/dev/null && echo mounted > /sandbox-mount; true',
        '',
      ].join('\n'),
    };
    const refused = await build(files);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /security\.insecure is not allowed/);
    const r = await build(files, ['--allow', 'security.insecure']);
    assert.equal(r.code, 0, r.stderr);
    const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]!;
    assert.equal(r.read('capeff'), bounding, 'every capability hoist has');
    assert.equal(r.read('mount-ok'), 'mounted');
    assert.equal(r.read('sandbox-capeff'), '00000000a80425fb', 'the sandbox keeps docker\'s 14 capabilities');
    assert.ok(!r.has('sandbox-mount'), 'the sandbox cannot mount');
  });

  it('RUN --mount=type=bind,rw: writes are seen by the RUN and discarded after it', async () => {
    const r = await build({
      Dockerfile: [
        'FROM base',
        'RUN --mount=type=bind,target=/src,rw echo changed > /src/f.txt && echo new > /src/new.txt && cat /src/f.txt > /seen',
        'RUN --mount=type=bind,target=/src cat /src/f.txt > /after && ls /src | sort > /after-list',
        '',
      ].join('\n'),
      'f.txt': 'original\n',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.read('seen'), 'changed');
    assert.equal(r.read('after'), 'original');
    assert.equal(r.read('after-list'), 'Dockerfile\nf.txt');
    assert.ok(!r.has('src/new.txt') && !r.has('src/f.txt'), 'nothing of the mount is in the layer');
  });
});
