import { strict as assert } from 'node:assert';
import { isHoistError } from '../../../../src/errors';
import { parseBindSpec, parseEnvFile, renderEtcFiles } from '../../../../src/convert';

describe('parseBindSpec / parseEnvFile / renderEtcFiles', () => {
  it('parses -v SRC:DST[:ro|rw]', () => {
    assert.deepEqual(parseBindSpec('/h:/c'), { source: '/h', destination: '/c', readonly: false });
    assert.deepEqual(parseBindSpec('/h:/c:ro'), { source: '/h', destination: '/c', readonly: true });
    assert.deepEqual(parseBindSpec('./d:/c', '/work'), { source: '/work/d', destination: '/c', readonly: false });
    for (const bad of ['/h', '/h:/c:xx', 'named:/c', ':/c', '/a:/b:ro:x']) {
      assert.throws(() => parseBindSpec(bad), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_MOUNT_INVALID'), bad);
    }
  });

  it('reads an env file as docker does', () => {
    assert.deepEqual(parseEnvFile('# c\nA=1\n\n  B=two words\nFROMHOST\nUNSET\nC=\r\n', { FROMHOST: 'h' }), ['A=1', 'B=two words', 'FROMHOST=h', 'C=']);
  });

  it('renders /etc files: localhost + hostname without a network, the host files with host network', () => {
    const none = renderEtcFiles({ hostname: 'box', network: 'none', hostHosts: 'HOST', hostResolvConf: 'nameserver 9.9.9.9\n' });
    assert.match(none.hosts, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(none.hosts, /\tbox$/m);
    assert.equal(none.resolvConf, 'nameserver 9.9.9.9\n');
    assert.equal(none.hostname, 'box\n');
    assert.equal(renderEtcFiles({ hostname: 'b', network: 'host', hostHosts: 'HOST' }).hosts, 'HOST');
  });
});
