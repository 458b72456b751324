import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasCommand, skipWith } from '../../helpers/capabilities';
import { git, GitHttpServer, startGitDaemon, startSshd, TestRepo } from '../../helpers/git-server';
import { runHoist } from '../../helpers/hoist-cli';
import { loadBusybox, runtimeUnavailable } from '../../helpers/runtime-env';
import { tmpDir } from '../../helpers/tmp';
import { buildOk, cachedSteps, makeContext } from './build-helpers';

const strip = (steps: string[]): string[] => steps.map((c) => c.replace(/^\[(\S+ )?\d+\/\d+\] /, ''));

/**
 * ADD of a git repository, as BuildKit's git source and dispatchCopy make it:
 * a bare repository served by `git http-backend` (behind a node server) and
 * by `git daemon`, both on 127.0.0.1; the files owned 0:0, 0644/0755, no .git
 * unless kept, mtimes of the checkout; the cache keyed by the commit
 * `git ls-remote` names, so an unchanged ref is a hit without a fetch.
 */
describe('hoist build: ADD <git repository>', function () {
  this.timeout(240_000);
  let root: string;
  let repo: TestRepo;
  let http: GitHttpServer;
  let daemon: { url: string; stop(): void } | undefined;
  let first: string;
  let second: string;
  let started: number;
  let archive: Buffer;

  before(async function () {
    const why = await runtimeUnavailable();
    if (why) skipWith(this, why);
    if (!hasCommand('git')) skipWith(this, 'needs git (Debian package git)');
    root = tmpDir('hoist-add-git-');
    await loadBusybox(root, 'base:latest');
    repo = new TestRepo();
    first = repo.commit({ 'README': 'v1 readme\n', 'bin/run.sh': '#!/bin/sh\necho run\n', 'docs/guide.md': 'guide v1\n' }, 'first', { 'bin/run.sh': 0o775 });
    fs.symlinkSync('README', path.join(repo.work, 'link'));
    second = repo.commit({ 'docs/extra.md': 'extra\n' }, 'second');
    git(repo.work, 'tag', '-a', 'v1', '-m', 'release v1', first);
    git(repo.work, 'tag', 'light', second);
    repo.push();
    const tarDir = tmpDir('hoist-add-tar-');
    fs.mkdirSync(path.join(tarDir, 'payload'));
    fs.writeFileSync(path.join(tarDir, 'payload', 'inside.txt'), 'inside\n');
    execFileSync('tar', ['-czf', path.join(tarDir, 'a.tar.gz'), '-C', path.join(tarDir, 'payload'), '.']);
    archive = fs.readFileSync(path.join(tarDir, 'a.tar.gz'));
    http = new GitHttpServer(repo.base, { '/files/a.tar.gz': archive });
    await http.start();
    daemon = await startGitDaemon(repo.base);
  });

  after(async () => {
    daemon?.stop();
    await http?.stop();
  });

  const dockerfile = (): string => `FROM base
ADD ${http.url}/repo.git#v1:docs /docs
ADD --keep-git-dir=true ${http.url}/repo.git#light /kept
ADD --chown=1000:1000 ${daemon!.url}/repo.git#${first} /bysha/
ADD ${http.url}/repo.git#main /src
ADD --checksum=${second.slice(0, 10)} ${daemon!.url}/repo.git?branch=main&subdir=bin /checked
`;

  it('adds branch, tag:subdir, commit and kept-.git sources with BuildKit metadata', async () => {
    started = Date.now() - 2000;
    const out = tmpDir('hoist-add-git-out-');
    const r = await buildOk(root, ['-t', 'gitimg', '--output', `type=local,dest=${out}`, makeContext({ Dockerfile: dockerfile() })]);
    assert.deepEqual(cachedSteps(r.stderr), []);
    const st = (p: string): fs.Stats => fs.lstatSync(path.join(out, p));
    const mode = (p: string): string => (st(p).mode & 0o7777).toString(8);
    // #main: the branch's tree, no .git, git's modes, owner 0:0, checkout-time mtimes
    assert.deepEqual(fs.readdirSync(path.join(out, 'src')).sort(), ['README', 'bin', 'docs', 'link']);
    assert.equal(fs.readFileSync(path.join(out, 'src/README'), 'utf8'), 'v1 readme\n');
    assert.equal(mode('src/README'), '644');
    assert.equal(mode('src/bin/run.sh'), '755');
    assert.equal(mode('src/bin'), '755');
    assert.equal(fs.readlinkSync(path.join(out, 'src/link')), 'README');
    assert.equal(`${st('src/README').uid}:${st('src/README').gid}`, '0:0');
    assert.ok(st('src/README').mtimeMs >= started, 'files carry the checkout time, not the commit time (2001)');
    // #v1:docs: the annotated tag's commit, only that directory
    assert.deepEqual(fs.readdirSync(path.join(out, 'docs')), ['guide.md']);
    // --keep-git-dir=true: a .git whose HEAD is the commit, origin the remote
    assert.equal(git(path.join(out, 'kept'), 'rev-parse', 'HEAD'), second);
    assert.equal(git(path.join(out, 'kept'), 'remote', 'get-url', 'origin'), `${http.url}/repo.git`);
    assert.equal(fs.existsSync(path.join(out, 'src/.git')), false);
    // a full commit sha over git://, --chown
    assert.equal(fs.existsSync(path.join(out, 'bysha/docs/extra.md')), false, 'the first commit has no extra.md');
    assert.equal(`${st('bysha/README').uid}:${st('bysha/README').gid}`, '1000:1000');
    // ?branch=&subdir= with a --checksum prefix of the commit
    assert.deepEqual(fs.readdirSync(path.join(out, 'checked')), ['run.sh']);
    const history = await runHoist(['history', '--no-trunc', 'gitimg'], { root });
    assert.match(history.stdout, new RegExp(`ADD ${http.url}/repo.git#main /src`));
  });

  it('an unchanged ref is a cache hit after ls-remote alone (no fetch); a moved branch rebuilds', async () => {
    const ctx = makeContext({ Dockerfile: dockerfile() });
    const fetchesBefore = http.fetches;
    const again = await buildOk(root, ['-t', 'gitimg', ctx]);
    assert.equal(cachedSteps(again.stderr).length, 5, again.stderr);
    assert.equal(http.fetches, fetchesBefore, 'nothing was fetched');

    const third = repo.commit({ 'README': 'v2 readme\n' }, 'third');
    const moved = await buildOk(root, ['-t', 'gitimg', makeContext({ Dockerfile: dockerfile().replace(/--checksum=\S+ /, `--checksum=${third} `) })]);
    const cached = strip(cachedSteps(moved.stderr));
    assert.deepEqual(
      cached,
      [`ADD ${http.url}/repo.git#v1:docs /docs`, `ADD --keep-git-dir=true ${http.url}/repo.git#light /kept`, `ADD --chown=1000:1000 ${daemon!.url}/repo.git#${first} /bysha/`],
      moved.stderr,
    );
    assert.ok(http.fetches > fetchesBefore, 'the moved branch was fetched (the counter counts fetches)');
    const out = await runHoist(['run', '--rm', 'gitimg', 'cat', '/src/README'], { root });
    assert.equal(out.stdout, 'v2 readme\n');
  });

  it('a --checksum that is not the commit fails naming both', async () => {
    const r = await runHoist(['build', '--progress', 'plain', makeContext({ Dockerfile: `FROM base\nADD --checksum=deadbeef ${http.url}/repo.git#v1 /x\n` })], { root });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`Dockerfile:2:1: expected checksum to match deadbeef, got [0-9a-f]{40} or ${first}`));
  });

  it('refuses bad sources clearly, at their line', async () => {
    const cases: [string, RegExp][] = [
      [`ADD ${http.url}/repo.git#nosuchbranch /x`, /Dockerfile:2:1: repository .*repo\.git does not contain ref nosuchbranch/],
      [`ADD ${http.url}/repo.git?colour=blue /x`, /Dockerfile:2:1: invalid git source .*unexpected query "colour"/],
      [`ADD --keep-git-dir=false ${http.url}/repo.git?keep-git-dir=1 /x`, /Dockerfile:2:1: inconsistent keep-git-dir configuration/],
      [`COPY ${daemon!.url}/repo.git /x`, /Dockerfile:2:1: source can't be a git ref for COPY/],
      ['ADD git@127.0.0.1:repo.git /x', /Dockerfile:2:1: ADD git@127\.0\.0\.1:repo\.git needs an SSH agent/],
      [`ADD --keep-git-dir=maybe ${http.url}/repo.git /x`, /Dockerfile:2:1: expecting boolean value for flag --keep-git-dir, not: maybe/],
    ];
    for (const [line, want] of cases) {
      const r = await runHoist(['build', '--progress', 'plain', makeContext({ Dockerfile: `FROM base\n${line}\n` })], { root });
      assert.equal(r.code, 1, line);
      assert.match(r.stderr, want, line);
    }
  });

  it('ADD --unpack=true extracts a URL archive, --unpack=false copies a local one as a file (dockerfile 1.17)', async () => {
    const out = tmpDir('hoist-add-unpack-out-');
    const ctx = makeContext({
      Dockerfile: `FROM base\nADD --unpack=true ${http.url}/files/a.tar.gz /dl/\nADD ${http.url}/files/a.tar.gz /raw/\nADD --unpack=false local.tar.gz /kept/\nADD local.tar.gz /unpacked/\n`,
    });
    fs.writeFileSync(path.join(ctx, 'local.tar.gz'), archive);
    await buildOk(root, ['--output', `type=local,dest=${out}`, ctx]);
    assert.deepEqual(fs.readdirSync(path.join(out, 'dl')), ['inside.txt']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'raw')), ['a.tar.gz']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'kept')), ['local.tar.gz']);
    assert.deepEqual(fs.readdirSync(path.join(out, 'unpacked')), ['inside.txt']);
    const bad = await runHoist(['build', makeContext({ Dockerfile: 'FROM base\nADD --unpack=yes a.tar /x/\n' })], { root });
    assert.match(bad.stderr, /Dockerfile:2:1: expecting boolean value for flag --unpack, not: yes/);
  });

  it('an ssh:// source goes through the --ssh agent (a private sshd on 127.0.0.1)', async function () {
    const keyDir = tmpDir('hoist-ssh-key-');
    const key = path.join(keyDir, 'id');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const sshd = await startSshd(fs.readFileSync(`${key}.pub`, 'utf8'));
    if (sshd === undefined) skipWith(this, 'needs sshd (Debian package openssh-server)');
    try {
      const ctx = makeContext({ Dockerfile: `FROM base\nADD ssh://root@127.0.0.1:${sshd.port}${repo.bare}#v1 /viassh/\n` });
      const refused = await runHoist(['build', ctx], { root });
      assert.match(refused.stderr, /Dockerfile:2:1: ADD ssh:\/\/root@127\.0\.0\.1:\d+\S+ needs an SSH agent: pass one with hoist build --ssh default/);
      const out = tmpDir('hoist-add-ssh-out-');
      await buildOk(root, ['--ssh', `default=${key}`, '--output', `type=local,dest=${out}`, ctx]);
      assert.equal(fs.readFileSync(path.join(out, 'viassh/README'), 'utf8'), 'v1 readme\n');
    } finally {
      sshd.stop();
    }
  });

  it('checks submodules out (at the recorded commit) unless ?submodules=false', async () => {
    const sub = new TestRepo(repo.base, 'sub.git');
    sub.commit({ 'lib.txt': 'sub lib\n' }, 'sub first');
    const parent = new TestRepo(repo.base, 'parent.git');
    parent.commit({ 'top.txt': 'top\n' }, 'parent first');
    // added from the bare path (a synchronous git cannot talk to this process's server), then pointed at the server
    git(parent.work, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.bare, 'vendor/sub');
    git(parent.work, 'config', '-f', '.gitmodules', 'submodule.vendor/sub.url', `${http.url}/sub.git`);
    parent.commit({}, 'add submodule');
    const out = tmpDir('hoist-add-git-sub-');
    const ctx = makeContext({ Dockerfile: `FROM base\nADD ${http.url}/parent.git#main /with/\nADD ${http.url}/parent.git?ref=main&submodules=false /without/\n` });
    await buildOk(root, ['--output', `type=local,dest=${out}`, ctx]);
    assert.equal(fs.readFileSync(path.join(out, 'with/vendor/sub/lib.txt'), 'utf8'), 'sub lib\n');
    assert.equal(fs.existsSync(path.join(out, 'with/vendor/sub/.git')), false, 'no .git file in the submodule either');
    assert.deepEqual(fs.readdirSync(path.join(out, 'without/vendor/sub')), [], 'submodules=false leaves its directory empty');
  });

  it('a git:// source needs no server-side help: the default branch when no ref is given', async () => {
    const out = tmpDir('hoist-add-git-out-');
    await buildOk(root, ['--output', `type=local,dest=${out}`, makeContext({ Dockerfile: `FROM base\nADD ${daemon!.url}/repo.git /d/\n` })]);
    assert.equal(fs.readFileSync(path.join(out, 'd/README'), 'utf8'), 'v2 readme\n');
  });
});
