import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { busyboxLayer } from '../../../fixtures/images/make-busybox-image';
import { skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, cachedSteps, makeContext } from './build-helpers';

/**
 * RUN heredocs as BuildKit's dockerfile2llb runs them: a single heredoc whose
 * body starts with `#!` becomes a 0755 file at /dev/pipes/<NAME> (a read-only
 * mount) that the shell executes, so the kernel runs the interpreter line; any
 * other single heredoc is the shell's command; several heredocs are handed to
 * the shell as one script with their bodies.
 */
const DOCKERFILE = `FROM base
RUN <<EOF
#!/bin/sh -e
echo "flags=$-" > /shebang-e.out
echo "script=$0" >> /shebang-e.out
stat -c '%a %u' "$0" >> /shebang-e.out
EOF
RUN <<-"EOT"
	#!/usr/bin/env sh
	echo "env sh ran $0" > /shebang-env.out
	EOT
RUN <<EOF
#!/bin/cat
this text is printed by cat, never run
EOF
RUN <<EOF
echo "plain heredoc flags=$-" > /plain.out
EOF
RUN cat <<A > /multi-a.out && cat <<B > /multi-b.out
first body
A
second body
B
USER app
RUN <<EOF
#!/bin/sh
id -u > /tmp/uid.out
EOF
`;

describe('hoist build: RUN heredocs with a #! line', function () {
  this.timeout(180_000);
  let root: string;
  let ctxDir: string;
  let out: string;
  let stderr = '';

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    root = tmpDir('hoist-heredoc-');
    const usrBinEnv = [
      { path: 'usr', type: 'directory' as const, mode: 0o755 },
      { path: 'usr/bin', type: 'directory' as const, mode: 0o755 },
      { path: 'usr/bin/env', type: 'symlink' as const, linkname: '/bin/busybox' },
    ];
    await loadBusybox(root, 'base:latest', {}, [busyboxLayer(), usrBinEnv]);
    ctxDir = makeContext({ Dockerfile: DOCKERFILE });
    out = tmpDir('hoist-heredoc-out-');
    stderr = (await buildOk(root, ['-t', 'heredoc', '--output', `type=local,dest=${out}`, ctxDir])).stderr;
  });

  const read = (name: string): string => fs.readFileSync(path.join(out, name), 'utf8');

  it('runs the body as a file with its #! interpreter and options (/bin/sh -e)', () => {
    const lines = read('shebang-e.out').trim().split('\n');
    assert.match(lines[0]!, /^flags=.*e/, 'sh was started with -e');
    assert.equal(lines[1], 'script=/dev/pipes/EOF');
    assert.equal(lines[2], '755 0');
  });

  it('runs a #!/usr/bin/env interpreter line, a <<- body with its tabs stripped', () => {
    assert.equal(read('shebang-env.out'), 'env sh ran /dev/pipes/EOT\n');
  });

  it('hands the file to any interpreter (#!/bin/cat prints the script)', () => {
    assert.match(stderr, /this text is printed by cat, never run/);
  });

  it('leaves nothing of /dev/pipes in the image', () => {
    assert.equal(fs.existsSync(path.join(out, 'dev', 'pipes')), false);
  });

  it('runs a heredoc without #! as the shell command, several heredocs as one shell script', () => {
    assert.match(read('plain.out'), /^plain heredoc flags=/);
    assert.doesNotMatch(read('plain.out'), /flags=\S*e/);
    assert.equal(read('multi-a.out'), 'first body\n');
    assert.equal(read('multi-b.out'), 'second body\n');
  });

  it('the script is executable for a non-root USER', () => {
    assert.equal(read('tmp/uid.out'), '1000\n');
  });

  it("history names the script as BuildKit's does (RUN /bin/sh -c /dev/pipes/EOF)", async () => {
    const h = await runHoist(['history', '--no-trunc', 'heredoc'], { root });
    assert.equal(h.code, 0, h.stderr);
    assert.match(h.stdout, /RUN \/bin\/sh -c \/dev\/pipes\/EOF # buildkit/);
    assert.match(h.stdout, /RUN \/bin\/sh -c \/dev\/pipes\/EOT # buildkit/);
  });

  it('a changed #! body misses the cache, the unchanged steps before it hit', async () => {
    fs.writeFileSync(path.join(ctxDir, 'Dockerfile'), DOCKERFILE.replace('script=$0', 'script:$0'));
    const r = await buildOk(root, ['-t', 'heredoc', ctxDir]);
    assert.deepEqual(cachedSteps(r.stderr), [], 'the first RUN changed, so nothing after it is cached');
    const again = await buildOk(root, ['-t', 'heredoc', ctxDir]);
    assert.equal(cachedSteps(again.stderr).length, 6, again.stderr);
  });
});
