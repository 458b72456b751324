import { strict as assert } from 'node:assert';
import { parseGitRef, redactRemote } from '../../../src/dockerfile/instructions/git-ref';
import { isHoistError } from '../../../src/errors';

describe('dockerfile: parseGitRef (ADD git sources, BuildKit dfgitutil)', () => {
  it('reads remote, ref and subdir from the fragment of each transport', () => {
    assert.deepEqual(parseGitRef('https://example.com/org/repo.git#v1.2:docs/api/'), { remote: 'https://example.com/org/repo.git', scheme: 'https', ref: 'v1.2', subdir: 'docs/api' });
    assert.deepEqual(parseGitRef('git://127.0.0.1:9418/repo.git'), { remote: 'git://127.0.0.1:9418/repo.git', scheme: 'git' });
    assert.deepEqual(parseGitRef('git@github.com:moby/buildkit.git#main'), { remote: 'git@github.com:moby/buildkit.git', scheme: 'ssh', ref: 'main' });
    assert.deepEqual(parseGitRef('ssh://git@host/r.git#:sub/../x'), { remote: 'ssh://git@host/r.git', scheme: 'ssh', subdir: 'x' });
  });

  it('is not a git source: context paths, plain URLs, github.com/ (a local path for ADD), other schemes', () => {
    for (const s of ['./repo.git', '../x.git', 'dir/repo.git', 'https://example.com/archive.tar.gz', 'https://example.com/x.git.tar', 'github.com/moby/buildkit', 'ftp://h/r.git', 'file.txt']) {
      assert.equal(parseGitRef(s), undefined, s);
    }
  });

  it('reads the query as BuildKit does (tag/branch prefixes, checksum, booleans)', () => {
    assert.deepEqual(parseGitRef('https://h/r.git?tag=v1&subdir=a&checksum=abc&keep-git-dir'), {
      remote: 'https://h/r.git',
      scheme: 'https',
      ref: 'refs/tags/v1',
      subdir: 'a',
      checksum: 'abc',
      keepGitDir: true,
    });
    assert.deepEqual(parseGitRef('git@h:r.git?branch=dev&submodules=false'), { remote: 'git@h:r.git', scheme: 'ssh', ref: 'refs/heads/dev', submodules: false });
    assert.equal(parseGitRef('https://h/r.git?ref=main#main')?.ref, 'main');
  });

  it('refuses conflicting or unknown query keys (ADD_GIT_REF_INVALID)', () => {
    for (const [s, m] of [
      ['https://h/r.git?ref=a#b', /ref conflicts: "b" vs "a"/],
      ['https://h/r.git?tag=a&branch=b', /branch conflicts with tag/],
      ['https://h/r.git?subdir=a#:b', /subdir conflicts/],
      ['https://h/r.git?x=1', /unexpected query "x"/],
      ['https://h/r.git?ref=', /query "ref" has no value/],
      ['https://h/r.git?ref=a&ref=b', /multiple values/],
      ['https://h/r.git?keep-git-dir=maybe', /invalid keep-git-dir value: "maybe"/],
      ['https://h/r.git?mtime=now', /invalid mtime value/],
    ] as const) {
      assert.throws(() => parseGitRef(s), (e: unknown) => isHoistError(e, 'ADD_GIT_REF_INVALID') && m.test((e as Error).message), s);
    }
  });

  it('redacts a password in a remote', () => {
    assert.equal(redactRemote('https://user:secret@h/r.git'), 'https://user:xxxxx@h/r.git');
    assert.equal(redactRemote('git@h:r.git'), 'git@h:r.git');
  });
});
