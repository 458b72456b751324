import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCommand, skipWith } from '../../helpers/capabilities';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { makeContext } from './build-helpers';

/** The host's ssh-add and the shared libraries it loads (ldd), flat in `dir`, run inside RUN through the copied ld.so. */
function copySshAdd(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const bin = spawnSync('sh', ['-c', 'command -v ssh-add'], { encoding: 'utf8' }).stdout.trim();
  fs.copyFileSync(bin, path.join(dir, 'ssh-add'));
  let loader = '';
  for (const line of spawnSync('ldd', [bin], { encoding: 'utf8' }).stdout.split('\n')) {
    const lib = /(\/\S+)/.exec(line.includes('=>') ? line.split('=>')[1]! : line)?.[1];
    if (lib === undefined) continue;
    fs.copyFileSync(lib, path.join(dir, path.basename(lib)));
    if (/ld-linux/.test(lib)) loader = path.basename(lib);
  }
  fs.chmodSync(path.join(dir, 'ssh-add'), 0o755);
  fs.chmodSync(path.join(dir, loader), 0o755);
  return `/t/${loader} --library-path /t /t/ssh-add`;
}

describe('hoist build: RUN --mount=type=ssh with a real ssh-agent', function () {
  this.timeout(180_000);
  let root: string;
  let work: string;
  let agent: ChildProcess | undefined;
  let sock: string;
  let key: string;
  let fingerprint: string;
  let sshAdd: string;

  before(async function () {
    const why = (await runtimeUnavailable()) ?? (['ssh-agent', 'ssh-add', 'ssh-keygen', 'ldd'].find((c) => !hasCommand(c)) ? 'needs ssh-agent, ssh-add, ssh-keygen and ldd (Debian package openssh-client)' : undefined);
    if (why) skipWith(this, why);
    root = tmpDir('hoist-ssh-');
    work = tmpDir('hoist-ssh-work-');
    key = path.join(work, 'id_ed25519');
    assert.equal(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hoist-test', '-f', key]).status, 0);
    fingerprint = spawnSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1]!;
    sock = path.join(work, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; !fs.existsSync(sock); i++) {
      if (i > 300) throw new Error('ssh-agent did not start');
      await sleep(10);
    }
    assert.equal(spawnSync('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: sock } }).status, 0);
    await loadBusybox(root, 'base:latest');
    sshAdd = copySshAdd(path.join(work, 'probe'));
  });

  after(() => {
    if (agent?.pid !== undefined) agent.kill();
  });

  const build = async (ssh: string[], env: NodeJS.ProcessEnv, dockerfile: string): Promise<{ out: string; stderr: string; code: number | null }> => {
    const ctx = makeContext({ Dockerfile: dockerfile });
    sshAdd = copySshAdd(path.join(ctx, 'tools'));
    if (!dockerfile.includes(sshAdd) && dockerfile.includes('/t/ssh-add')) throw new Error(`the loader is not ${sshAdd}`);
    const out = tmpDir('hoist-ssh-out-');
    const r = await runHoist(['build', '--progress', 'plain', '-o', `type=local,dest=${out}`, ...ssh.flatMap((s) => ['--ssh', s]), ctx], { root, env });
    return { out, stderr: r.stderr, code: r.code };
  };
  const tools = '--mount=type=bind,source=tools,target=/t';

  it('--ssh default (SSH_AUTH_SOCK): ssh-add -l inside RUN lists the key; the socket is read-only and not kept', async () => {
    const again = await build(['default'], { SSH_AUTH_SOCK: sock }, `FROM base\nRUN --mount=type=ssh ${tools} ${sshAdd} -l > /keys; echo "$SSH_AUTH_SOCK" > /sock; ${sshAdd} -D; echo $? > /delete-status; stat -c %a /run/buildkit/ssh_agent.0 > /mode\n`);
    assert.equal(again.code, 0, again.stderr);
    const read = (f: string): string => fs.readFileSync(path.join(again.out, f), 'utf8').trim();
    assert.match(read('keys'), new RegExp(fingerprint.replace(/[+/]/g, '\\$&')));
    assert.equal(read('sock'), '/run/buildkit/ssh_agent.0');
    assert.notEqual(read('delete-status'), '0', 'ssh-add -D must be refused');
    assert.equal(read('mode'), '600');
    assert.ok(!fs.existsSync(path.join(again.out, 'run/buildkit/ssh_agent.0')), 'the socket stub must not stay in the layer');
    const still = spawnSync('ssh-add', ['-l'], { env: { ...process.env, SSH_AUTH_SOCK: sock }, encoding: 'utf8' });
    assert.match(still.stdout, /hoist-test/, 'the key is still in the host agent');
  });

  it('--ssh ID=KEYFILE: a private agent holds the key; target, mode and uid apply; a missing required id names it', async () => {
    const r = await build([`mykey=${key}`], {}, `FROM base\nRUN --mount=type=ssh,id=mykey,target=/agent.sock,mode=0640,uid=7 ${tools} ${sshAdd} -l > /keys; echo "$SSH_AUTH_SOCK" > /sock; stat -c "%a %u" /agent.sock > /stat\n`);
    assert.equal(r.code, 0, r.stderr);
    const read = (f: string): string => fs.readFileSync(path.join(r.out, f), 'utf8').trim();
    assert.match(read('keys'), /hoist-test/);
    assert.equal(read('sock'), '/agent.sock');
    assert.equal(read('stat'), '640 7');
    const missing = await build([], {}, 'FROM base\nRUN --mount=type=ssh,id=gh,required true\n');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no SSH key "gh" forwarded from the client/);
  });
});
