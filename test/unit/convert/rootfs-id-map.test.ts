import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { capabilityRootId, mapId, parseIdMapEntry, shiftCapability, shiftId, validateIdMap, writeFileInRoot, incusMetadata } from '../../../src/convert';
import { isHoistError } from '../../../src/errors';
import { tmpDir } from '../../helpers/tmp';

const MAP = [{ containerId: 0, hostId: 100000, count: 65536 }];

function capV2(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0); // revision 2, effective
  b.writeUInt32LE(1 << 13, 4); // CAP_NET_RAW permitted
  return b;
}

describe('convert/rootfs id map, capability shifting, writes in a root; incus metadata', () => {
  it('parses and validates id maps', () => {
    assert.deepEqual(parseIdMapEntry('0:100000:65536'), MAP[0]);
    for (const bad of ['0:1', 'a:b:c', '0:1:0', '0:4294967295:2']) assert.throws(() => parseIdMapEntry(bad), (e: unknown) => isHoistError(e, 'CONVERT_LXC_INVALID_IDMAP'), bad);
    assert.throws(() => validateIdMap([{ containerId: 1, hostId: 100000, count: 10 }]), /root/);
    assert.throws(() => validateIdMap([...MAP, { containerId: 100, hostId: 500000, count: 1 }]), /overlap/);
    assert.equal(mapId(MAP, 1000), 101000);
    assert.equal(mapId(MAP, 65536), undefined);
    assert.throws(() => shiftId(MAP, 70000, 'uid', 'x'), (e: unknown) => isHoistError(e, 'CONVERT_ROOTFS_UNMAPPED_ID'));
  });

  it('turns a v2 file capability into v3 with rootid = map(0), and shifts a v3 rootid', () => {
    const v3 = shiftCapability(capV2(), MAP, 'bin/ping');
    assert.equal(v3.length, 24);
    assert.equal(v3.readUInt32LE(0), 0x03000001);
    assert.equal(v3.readUInt32LE(4), 1 << 13, 'capability bits kept');
    assert.equal(capabilityRootId(v3), 100000);
    const again = Buffer.from(v3);
    again.writeUInt32LE(1000, 20);
    assert.equal(capabilityRootId(shiftCapability(again, MAP, 'x')), 101000);
    assert.deepEqual(shiftCapability(Buffer.from([1, 2]), MAP, 'x'), Buffer.from([1, 2]), 'unknown left alone');
  });

  it('writeFileInRoot replaces a symlink instead of writing through it, and never leaves the root', () => {
    const root = tmpDir();
    const outside = path.join(tmpDir(), 'host-file');
    fs.writeFileSync(outside, 'host');
    fs.mkdirSync(path.join(root, 'etc'));
    fs.symlinkSync(outside, path.join(root, 'etc', 'resolv.conf'));
    fs.symlinkSync('/../../..', path.join(root, 'up'));
    writeFileInRoot(root, '/etc/resolv.conf', 'nameserver 1.1.1.1\n', { uid: 0, gid: 0 });
    writeFileInRoot(root, '/up/etc/hosts', 'h\n', { uid: 0, gid: 0 });
    assert.equal(fs.readFileSync(outside, 'utf8'), 'host');
    assert.ok(fs.lstatSync(path.join(root, 'etc', 'resolv.conf')).isFile());
    assert.equal(fs.readFileSync(path.join(root, 'etc', 'hosts'), 'utf8'), 'h\n');
  });

  it('incus metadata has architecture, creation_date, properties and templates', () => {
    const m = incusMetadata({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, created: '2024-01-02T03:04:05Z' }, { reference: 'reg:5000/app:v1', creationDate: 1700000000 });
    assert.match(m.yaml, /^architecture: "x86_64"$/m);
    assert.match(m.yaml, /^creation_date: 1700000000$/m);
    assert.match(m.yaml, /^ {2}release: "v1"$/m);
    assert.match(m.yaml, /^ {2}name: "app"$/m);
    assert.match(m.yaml, /^ {2}\/etc\/hostname:\n {4}when:\n {6}- create\n {6}- copy\n {4}template: hostname.tpl$/m);
    assert.equal(m.templates['hostname.tpl'], '{{ instance.name }}\n');
  });
});
