import { strict as assert } from 'node:assert';
import { exitStatusOf, runcArgv, signalNumber } from '../../../src/runtime';
import { runcMessage } from '../../../src/runtime/exec-runc';

describe('runcArgv', () => {
  it('renders global flags, the verb, its flags, then positionals', () => {
    assert.deepEqual(runcArgv('run', { bundle: '/b', root: '/r', rootless: 'auto', detach: true, pidFile: '/p' }, ['id1']), [
      'runc', '--root', '/r', '--rootless', 'auto', 'run', '--bundle', '/b', '--pid-file', '/p', '--detach', 'id1',
    ]);
    assert.deepEqual(runcArgv('create', { bundle: '/b', binary: '/usr/sbin/runc', noPivot: true }, ['x']), ['/usr/sbin/runc', 'create', '--bundle', '/b', '--no-pivot', 'x']);
    assert.deepEqual(runcArgv('kill', { all: true }, ['x', 'TERM']), ['runc', 'kill', '--all', 'x', 'TERM']);
    assert.deepEqual(runcArgv('delete', { force: true }, ['x']), ['runc', 'delete', '--force', 'x']);
    assert.deepEqual(runcArgv('state', {}, ['x']), ['runc', 'state', 'x']);
    assert.deepEqual(runcArgv('list', { debug: true }), ['runc', '--debug', 'list', '--format', 'json']);
  });

  it('never joins arguments into a shell string', () => {
    const argv = runcArgv('run', { bundle: '/b d; rm -rf /' }, ['id']);
    assert.ok(argv.includes('/b d; rm -rf /'));
  });
});

describe('exit status', () => {
  it('passes codes through and maps signals to 128+n', () => {
    assert.equal(exitStatusOf(0, null), 0);
    assert.equal(exitStatusOf(3, null), 3);
    assert.equal(exitStatusOf(null, 'SIGKILL'), 137);
    assert.equal(exitStatusOf(null, 'SIGTERM'), 143);
    assert.equal(exitStatusOf(null, 'SIGINT'), 130);
    assert.equal(signalNumber('KILL'), 9);
    assert.equal(signalNumber('15'), 15);
  });

  it("takes runc's logrus msg as the message", () => {
    assert.equal(runcMessage('time="x" level=error msg="container \\"a\\" does not exist"\n'), 'container "a" does not exist');
    assert.equal(runcMessage('plain failure\n'), 'plain failure');
  });
});
