import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllow, parseSecrets, parseSsh } from '../../../../src/cli/commands/build-secrets';
import { tmpDir } from '../../../helpers/tmp';

describe('cli: hoist build --secret, --ssh, --allow (docker/buildx syntax)', () => {
  it('--secret: src= file (checked now), env=, type=env, and a bare id: the variable when set, else the file', () => {
    const dir = tmpDir('hoist-secret-flags-');
    fs.writeFileSync(path.join(dir, 'f'), 'x');
    fs.writeFileSync(path.join(dir, 'ID2'), 'y');
    assert.deepEqual(parseSecrets(['id=a,src=f', 'id=b,source=f,type=file', 'id=c,env=V', 'type=env,id=D', 'type=env,id=e,src=W', 'id=ID1', 'id=ID2'], dir, { ID1: 'set' }), {
      a: { file: path.join(dir, 'f') },
      b: { file: path.join(dir, 'f') },
      c: { env: 'V' },
      D: { env: 'D' },
      e: { env: 'W' },
      ID1: { env: 'ID1' },
      ID2: { file: path.join(dir, 'ID2') },
    });
    for (const bad of ['src=f', 'id=a,src=missing', 'id=a,type=ssh', 'id=a,foo=1', 'nope']) assert.throws(() => parseSecrets([bad], dir, {}), (e: { code?: string }) => e.code === 'USAGE', bad);
    fs.writeFileSync(path.join(dir, 'big'), Buffer.alloc(500 * 1024 + 1));
    assert.throws(() => parseSecrets(['id=big,src=big'], dir, {}), /secret big too big/);
  });

  it('--ssh default | ID=SOCKET | ID=KEY,KEY; --allow security.insecure', () => {
    assert.deepEqual(parseSsh(['default', 'gh=/run/agent.sock', 'keys=a,b'], '/w'), { default: [], gh: ['/run/agent.sock'], keys: ['/w/a', '/w/b'] });
    assert.throws(() => parseSsh(['a', 'a=/x'], '/w'), /duplicate agent ID/);
    assert.deepEqual(parseAllow(['security.insecure', 'network.host']), ['security.insecure', 'network.host']);
    assert.throws(() => parseAllow(['device']), /invalid --allow/);
  });
});
