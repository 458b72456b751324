import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { makeDockerArchive, type ImageSpec } from '../../../fixtures/images/make-busybox-image';
import { readImageArchive } from '../../helpers/image-archive';
import { CONFIG_FIELDS, compareImages, type CompareOptions } from '../../helpers/image-compare';
import { tarOf, type TarSpec } from '../../helpers/layer-tar';
import { tmpDir } from '../../helpers/tmp';

// The comparer the differential suite trusts, tested on hand-made archives:
// an identical pair agrees, and a pair differing in any one compared field
// yields exactly the line naming it.

const dir = (name: string, extra: Partial<TarSpec['header']> = {}): TarSpec => ({ header: { name, type: 'dir', mode: 0o755, ...extra } });
const file = (name: string, body: string, extra: Partial<TarSpec['header']> = {}): TarSpec => ({ header: { name, ...extra }, body });

const LOWER: TarSpec[] = [dir('etc'), file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n'), dir('srv'), file('srv/a', 'a\n'), file('srv/b', 'b\n'), dir('tmp', { mode: 0o1777 })];
const UPPER: TarSpec[] = [
  dir('bin'),
  file('bin/tool', 'tool\n', { mode: 0o4755, uid: 1000, gid: 50 }),
  { header: { name: 'bin/link', type: 'symlink', linkname: 'tool', mode: 0o777 } },
  { header: { name: 'bin/hard', type: 'link', linkname: 'bin/tool' } },
  { header: { name: 'bin/null', type: 'char', devmajor: 1, devminor: 3 } },
  file('bin/cap', 'c\n', { xattrs: new Map([['security.capability', Buffer.from([1, 0, 0, 2])]]) }),
];
const EMPTY_SHA = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CONFIG = {
  Env: ['PATH=/bin', 'A=1'], Cmd: ['sh'], Entrypoint: ['/bin/tool'], WorkingDir: '/srv', User: 'u:g', ExposedPorts: { '80/tcp': {} },
  Labels: { a: '1', b: '2' }, Volumes: { '/data': {} }, StopSignal: 'SIGINT', Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9 },
  OnBuild: ['RUN true'], Shell: ['/bin/sh', '-c'], ArgsEscaped: true,
};
const HISTORY = [{ created_by: 'base' }, { created_by: 'COPY . / # buildkit', comment: 'buildkit.dockerfile.v0' }, { created_by: 'ENV A=1', empty_layer: true }];

async function compareSpecs(a: Partial<ImageSpec>, b: Partial<ImageSpec>, options: CompareOptions = {}): Promise<string[]> {
  const work = tmpDir('hoist-compare-');
  const read = async (spec: Partial<ImageSpec>, name: string) => {
    const file = path.join(work, `${name}.tar`);
    await makeDockerArchive(file, { tags: [`${name}:1`], layerTars: [tarOf(LOWER), tarOf(UPPER)], config: CONFIG, history: HISTORY, ...spec });
    return readImageArchive(file);
  };
  return compareImages(await read(a, 'a'), await read(b, 'b'), options);
}

function withUpper(change: (specs: TarSpec[]) => TarSpec[]): Partial<ImageSpec> {
  return { layerTars: [tarOf(LOWER), tarOf(change(UPPER.map((s) => ({ ...s, header: { ...s.header } }))))] };
}

function edit(name: string, header: Partial<TarSpec['header']>, body?: string): Partial<ImageSpec> {
  return withUpper((specs) => specs.map((s) => (s.header.name === name ? { header: { ...s.header, ...header }, body: body ?? s.body } : s)));
}

describe('image comparer (differential suite)', () => {
  it('an identical pair agrees, also when one side is gzip-compressed and built at another time', async () => {
    const later = { layerTars: [gzipSync(tarOf(LOWER.map((s) => ({ ...s, header: { ...s.header, mtime: 1_700_000_000 } })))), tarOf(UPPER)], created: '2030-01-01T00:00:00Z' };
    assert.deepEqual(await compareSpecs({}, later), []);
  });

  const entryCases: [string, Partial<ImageSpec>, string[]][] = [
    ['mode', edit('bin/tool', { mode: 0o755 }), ['tree /bin/tool: mode docker=04755 hoist=0755', 'layer 1 /bin/tool: mode docker=04755 hoist=0755']],
    ['uid', edit('bin/tool', { uid: 0 }), ['tree /bin/tool: uid docker=1000 hoist=0', 'layer 1 /bin/tool: uid docker=1000 hoist=0']],
    ['gid', edit('bin/tool', { gid: 0 }), ['tree /bin/tool: gid docker=50 hoist=0', 'layer 1 /bin/tool: gid docker=50 hoist=0']],
    ['link target', edit('bin/link', { linkname: '/bin/tool' }), ['tree /bin/link: linkname docker="tool" hoist="/bin/tool"', 'layer 1 /bin/link: linkname docker="tool" hoist="/bin/tool"']],
    ['device numbers', edit('bin/null', { devminor: 5 }), ['tree /bin/null: rdev docker="1:3" hoist="1:5"', 'layer 1 /bin/null: rdev docker="1:3" hoist="1:5"']],
    ['xattrs', edit('bin/cap', { xattrs: new Map([['user.x', Buffer.from('1')]]) }), [
      'tree /bin/cap: xattrs docker={"security.capability":"01000002"} hoist={"user.x":"31"}',
      'layer 1 /bin/cap: xattrs docker={"security.capability":"01000002"} hoist={"user.x":"31"}',
    ]],
    ['type', edit('bin/link', { type: 'file', linkname: '' }, ''), [
      'tree /bin/link: type docker="symlink" hoist="file"', `tree /bin/link: sha256 docker=absent hoist="${EMPTY_SHA}"`, 'tree /bin/link: linkname docker="tool" hoist=absent',
      'layer 1 /bin/link: type docker="symlink" hoist="file"', `layer 1 /bin/link: sha256 docker=absent hoist="${EMPTY_SHA}"`, 'layer 1 /bin/link: linkname docker="tool" hoist=absent',
    ]],
  ];
  for (const [field, spec, expected] of entryCases) {
    it(`reports a difference in ${field} in the tree and in its layer`, async () => {
      const got = await compareSpecs({}, spec);
      assert.deepEqual(got, expected);
    });
  }

  it('reports content (same size) and size, and the hard link that shares the content', async () => {
    const got = await compareSpecs({}, edit('bin/tool', {}, 'TOOL\n'));
    assert.ok(got.includes('tree /bin/tool: content docker="tool\\n" hoist="TOOL\\n"'), got.join('\n'));
    assert.equal(got.filter((l) => l.startsWith('tree /bin/hard: sha256')).length, 1, 'the hard link takes its target content (hash)');
    const binary = await compareSpecs({ layerTars: [tarOf(LOWER), tarOf([...UPPER, file('bin/blob', '\x01\x02')])] }, { layerTars: [tarOf(LOWER), tarOf([...UPPER, file('bin/blob', '\x01\x03')])] });
    assert.ok(binary.some((l) => l.startsWith('tree /bin/blob: sha256 docker="')), `binary bodies differ by hash:\n${binary.join('\n')}`);
    const sized = await compareSpecs({}, edit('bin/tool', {}, 'tool, longer\n'));
    assert.ok(sized.includes('tree /bin/tool: size docker=5 hoist=13'), sized.join('\n'));
  });

  it('reports a path on one side only, and a hard link to another target', async () => {
    const got = await compareSpecs({}, withUpper((s) => [...s, file('bin/extra', 'x')]));
    assert.deepEqual(got, ['tree /bin/extra: only in hoist (file)', 'layer 1 /bin/extra: only in hoist (file)']);
    const relinked = await compareSpecs({}, edit('bin/hard', { linkname: 'bin/cap' }));
    assert.ok(relinked.includes('tree /bin/hard: linkname docker="bin/tool" hoist="bin/cap"'), relinked.join('\n'));
  });

  it('applies whiteouts and opaque dirs: the same tree from different layers is a layer difference only', async () => {
    const removeEach = { layerTars: [tarOf(LOWER), tarOf([dir('srv'), file('srv/.wh.a', ''), file('srv/.wh.b', ''), file('srv/c', 'c\n')])] };
    const opaque = { layerTars: [tarOf(LOWER), tarOf([dir('srv'), file('srv/.wh..wh..opq', ''), file('srv/c', 'c\n')])] };
    const got = await compareSpecs(removeEach, opaque);
    assert.deepEqual(got.filter((l) => l.startsWith('tree')), []);
    assert.deepEqual(got, ['layer 1 /srv/.wh..wh..opq: only in hoist (file)', 'layer 1 /srv/.wh.a: only in docker (file)', 'layer 1 /srv/.wh.b: only in docker (file)']);
    const kept = await compareSpecs(removeEach, { layerTars: [tarOf(LOWER), tarOf([dir('srv'), file('srv/c', 'c\n')])] });
    assert.ok(kept.includes('tree /srv/a: only in hoist (file)'), kept.join('\n'));
  });

  it('reports the number of layers', async () => {
    const got = await compareSpecs({}, { layerTars: [tarOf(LOWER), tarOf(UPPER), tarOf([file('x', '')])] }, { sections: ['layers'] });
    assert.deepEqual(got, ['layers: count docker=2 hoist=3']);
  });

  for (const field of CONFIG_FIELDS) {
    it(`reports config ${field}`, async () => {
      const got = await compareSpecs({}, { config: { ...CONFIG, [field]: field === 'ArgsEscaped' ? false : field === 'WorkingDir' || field === 'User' || field === 'StopSignal' ? 'other' : null } });
      assert.equal(got.length, 1, got.join('\n'));
      assert.match(got[0] as string, new RegExp(`^config: ${field} docker=.+ hoist=`));
    });
  }

  it('reports the author (MAINTAINER) and the platform', async () => {
    assert.deepEqual(await compareSpecs({ top: { author: 'me <m@example.com>' } }, { top: { os: 'windows' } }), [
      'config: os docker="linux" hoist="windows"',
      'config: author docker="me <m@example.com>" hoist=absent',
    ]);
  });

  it('treats null and absent config fields as the same, and reports label values and env order', async () => {
    const { OnBuild: _unused, ...noOnBuild } = CONFIG;
    assert.deepEqual(await compareSpecs({ config: { ...CONFIG, OnBuild: null } }, { config: noOnBuild }), []);
    assert.deepEqual(await compareSpecs({}, { config: { ...CONFIG, Labels: { b: '2', a: '1' } } }), [], 'label order is not a difference');
    assert.deepEqual(await compareSpecs({}, { config: { ...CONFIG, Env: ['A=1', 'PATH=/bin'] } }), ['config: Env docker=["PATH=/bin","A=1"] hoist=["A=1","PATH=/bin"]']);
  });

  it('reports history created_by, empty_layer, comment and count, not timestamps', async () => {
    const h = (i: number, e: Record<string, unknown>) => ({ history: HISTORY.map((x, j) => (j === i ? { ...x, ...e } : x)) });
    assert.deepEqual(await compareSpecs({}, h(1, { created: '2031-01-01T00:00:00Z' })), []);
    assert.deepEqual(await compareSpecs({}, h(1, { created_by: 'COPY . /' })), ['history[1]: created_by docker="COPY . / # buildkit" hoist="COPY . /"']);
    assert.deepEqual(await compareSpecs({}, h(2, { empty_layer: false })), ['history[2]: empty_layer docker=true hoist=false']);
    assert.deepEqual(await compareSpecs({}, h(1, { comment: undefined })), ['history[1]: comment docker="buildkit.dockerfile.v0" hoist=absent']);
    assert.deepEqual(await compareSpecs({}, { history: HISTORY.slice(0, 2) }), ['history: entries docker=3 hoist=2', 'history[2]: only in docker ("ENV A=1")']);
  });

  it('leaves out ignored paths and sections not asked for', async () => {
    const spec = edit('bin/tool', { mode: 0o700 });
    assert.deepEqual(await compareSpecs({}, spec, { ignorePaths: [/^bin\/tool$/] }), []);
    assert.deepEqual(await compareSpecs({}, spec, { sections: ['config', 'history'] }), []);
  });
});
