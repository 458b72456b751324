import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isHoistError } from '../../../../src/errors';
import { formatReference, parseReference } from '../../../../src/oci/reference';
import { prefixMatch, pullSources, type MirrorSettings } from '../../../../src/registry/mirrors/pull-sources';
import { mkTemp } from '../../../helpers/registry-server';

describe('registry mirrors: pull sources from registries.conf and daemon.json', () => {
  let dir: string;
  let settings: MirrorSettings;
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
    return f;
  };
  const sources = (ref: string, conf: string, extra: Partial<MirrorSettings> = {}) =>
    pullSources(parseReference(ref), { ...settings, registriesConf: write('registries.conf', conf), ...extra }).map((s) => `${s.mirror ? 'mirror' : 'self'} ${formatReference(s.reference)}${s.insecure ? ' insecure' : ''}`);

  beforeEach(() => {
    dir = mkTemp('mirror-unit');
    settings = { env: { HOME: dir }, registriesConfDirs: [path.join(dir, 'd')], dockerDaemonJson: path.join(dir, 'daemon.json') };
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('matches prefixes as containers/image does (whole components; *.domain for subdomains)', () => {
    assert.equal(prefixMatch('docker.io/library/busybox:latest', 'docker.io'), 9);
    assert.equal(prefixMatch('docker.io/library/busybox:latest', 'docker.io/library/busybox'), 25);
    assert.equal(prefixMatch('docker.io/library/busyboxer:latest', 'docker.io/library/busybox'), -1);
    assert.equal(prefixMatch('docker.iox/a:1', 'docker.io'), -1);
    assert.equal(prefixMatch('a.example.com/x:1', '*.example.com'), 13);
    assert.equal(prefixMatch('example.com/x:1', '*.example.com'), -1);
    assert.equal(prefixMatch('other.io/a.example.com/x:1', '*.example.com'), -1);
  });

  it('mirrors in order, then the registry (its location); the longest prefix wins; paths are rewritten', () => {
    const conf = `
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "mirror-a.local:5000/hub"
[[registry.mirror]]
location = "mirror-b.local"
insecure = true

[[registry]]
prefix = "docker.io/library/busybox"
location = "quay.local/mirrored/busybox"
`;
    assert.deepEqual(sources('node:20', conf), ['mirror mirror-a.local:5000/hub/library/node:20', 'mirror mirror-b.local/library/node:20 insecure', 'self docker.io/library/node:20']);
    assert.deepEqual(sources('busybox', conf), ['self quay.local/mirrored/busybox:latest']);
    assert.deepEqual(sources('ghcr.io/a/b:1', conf), ['self ghcr.io/a/b:1']);
  });

  it('pull-from-mirror and mirror-by-digest-only choose mirrors by tag or digest', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    const conf = `
[[registry]]
location = "r.local"
[[registry.mirror]]
location = "digests.local"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.local"
pull-from-mirror = "tag-only"
`;
    assert.deepEqual(sources('r.local/x:1', conf), ['mirror tags.local/x:1', 'self r.local/x:1']);
    assert.deepEqual(sources(`r.local/x@${d}`, conf), [`mirror digests.local/x@${d}`, `self r.local/x@${d}`]);
    const byDigest = `[[registry]]\nlocation = "r.local"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.local"\n`;
    assert.deepEqual(sources('r.local/x:1', byDigest), ['self r.local/x:1']);
    assert.deepEqual(sources(`r.local/x@${d}`, byDigest), [`mirror m.local/x@${d}`, `self r.local/x@${d}`]);
  });

  it('drop-ins in name order replace entries by prefix; v1 tables and aliases are ignored', () => {
    write('d/10-a.conf', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "a.local"\n');
    write('d/20-b.conf', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "b.local"\n');
    write('d/30-c.ignore', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "c.local"\n');
    write('d/shortnames.conf', '[aliases]\n"busybox" = "docker.io/library/busybox"\n');
    assert.deepEqual(sources('busybox', 'unqualified-search-registries = ["docker.io"]\n[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "main.local"\n'), [
      'mirror b.local/library/busybox:latest',
      'self docker.io/library/busybox:latest',
    ]);
  });

  it("docker's registry-mirrors apply to docker.io only, after registries.conf's, with their scheme", () => {
    write('daemon.json', JSON.stringify({ 'registry-mirrors': ['https://hub-cache.local', 'http://127.0.0.1:5000/'] }));
    const s = pullSources(parseReference('busybox'), { ...settings, registriesConf: write('r.conf', '') });
    assert.deepEqual(s.map((x) => [formatReference(x.reference), x.scheme, x.mirror]), [
      ['hub-cache.local/library/busybox:latest', 'https', true],
      ['127.0.0.1:5000/library/busybox:latest', 'http', true],
      ['docker.io/library/busybox:latest', undefined, false],
    ]);
    assert.deepEqual(sources('ghcr.io/a/b:1', ''), ['self ghcr.io/a/b:1']);
    write('daemon.json', JSON.stringify({ 'registry-mirrors': ['https://hub-cache.local/v2/'] }));
    assert.throws(() => sources('busybox', ''), (e: unknown) => isHoistError(e, 'REGISTRY_CONFIG'));
  });

  it('refuses what containers/image refuses: schemes in locations, a blocked registry, bad TOML, a missing explicit file', () => {
    const bad = (conf: string, code: 'REGISTRY_CONFIG' | 'REGISTRY_BLOCKED' = 'REGISTRY_CONFIG') => assert.throws(() => sources('r.local/x:1', conf), (e: unknown) => isHoistError(e, code), conf);
    bad('[[registry]]\nlocation = "https://r.local"\n');
    bad('[[registry]]\nlocation = "r.local"\n[[registry.mirror]]\nlocation = "http://m.local"\n');
    bad('[[registry]]\nlocation = "r.local"\npull-from-mirror = "all"\n');
    bad('[[registry]]\nlocation = "r.local"\n[[registry.mirror]]\nlocation = "m.local"\npull-from-mirror = "sometimes"\n');
    bad('[[registry]]\nprefix = "*.local/x"\n');
    bad('[[registry]]\nlocation = \n');
    bad('[[registry]]\nlocation = "r.local"\nblocked = true\n', 'REGISTRY_BLOCKED');
    assert.throws(() => pullSources(parseReference('busybox'), { ...settings, registriesConf: path.join(dir, 'nope.conf') }), (e: unknown) => isHoistError(e, 'REGISTRY_CONFIG'));
    assert.deepEqual(pullSources(parseReference('busybox'), false).length, 1);
  });

  it('without an explicit file: ~/.config/containers/registries.conf when it exists (with its own drop-ins only)', () => {
    write('.config/containers/registries.conf', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "user.local"\n');
    write('d/10.conf', '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "system-dropin.local"\n');
    const s = pullSources(parseReference('busybox'), { env: { HOME: dir, HOIST_REGISTRIES_CONF_DIR: path.join(dir, 'd') }, dockerDaemonJson: path.join(dir, 'none.json') });
    assert.deepEqual(s.map((x) => x.reference.domain), ['user.local', 'docker.io']);
  });
});
