import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { candidateSchemes, customCaFor, isLoopbackHost, isNotTlsError, tlsFor } from '../../../../src/registry/transport/endpoint';

describe('registry/transport/endpoint', () => {
  it('knows loopback hosts (localhost, 127.0.0.0/8, ::1) and insecure registries', () => {
    assert.deepEqual(['localhost:5000', '127.1.2.3', '[::1]:5000', 'reg.example', '10.0.0.1:5000'].map(isLoopbackHost), [true, true, true, false, false]);
    assert.deepEqual(candidateSchemes('reg.example', { env: {} }), ['https']);
    assert.deepEqual(candidateSchemes('127.0.0.1:5000', { env: {} }), ['https', 'http']);
    assert.deepEqual(candidateSchemes('reg.example:5000', { insecureRegistries: ['reg.example:5000'], env: {} }), ['https', 'http']);
    assert.deepEqual(candidateSchemes('reg.example', { env: { HOIST_INSECURE_REGISTRIES: 'x,reg.example' } }), ['https', 'http']);
    assert.equal(tlsFor('reg.example', { insecureRegistries: ['reg.example'], env: {} }).verify, false);
  });

  it('adds /etc/docker/certs.d/HOST:PORT/*.crt and NODE_EXTRA_CA_CERTS to the system roots', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-certs-'));
    try {
      fs.mkdirSync(path.join(dir, 'reg.example:5000'));
      fs.writeFileSync(path.join(dir, 'reg.example:5000', 'ca.crt'), 'CERT-A');
      fs.writeFileSync(path.join(dir, 'extra.pem'), 'CERT-B');
      const ca = customCaFor('reg.example:5000', { certsDir: dir, env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'extra.pem') } });
      assert.ok(ca !== undefined && ca.includes('CERT-A') && ca.includes('CERT-B'));
      assert.equal(ca.length, rootCertificates.length + 2);
      assert.equal(customCaFor('other.example', { certsDir: dir, env: {} }), undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells "server does not speak TLS" apart from "certificate not trusted"', () => {
    assert.equal(isNotTlsError({ code: 'REGISTRY_TLS', cause: { code: 'ERR_SSL_WRONG_VERSION_NUMBER' } }), true);
    assert.equal(isNotTlsError({ cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self signed certificate' } }), false);
  });
});
