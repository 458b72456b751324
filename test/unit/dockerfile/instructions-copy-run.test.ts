import { strict as assert } from 'node:assert';
import { fails, inStage, one } from './helpers';

describe('dockerfile instructions: COPY and ADD', () => {
  it('reads every COPY flag into typed values', () => {
    const c = one('COPY', 'COPY --from=build --chown=app:staff --chmod=0755 --link --parents --exclude=*.md --exclude=x a b /dst/');
    assert.equal(c.from, 'build');
    assert.deepEqual(c.chown, { raw: 'app:staff', user: 'app', group: 'staff' });
    assert.deepEqual(c.chmod, { raw: '0755', octal: 0o755 });
    assert.equal(c.link, true);
    assert.equal(c.parents, true);
    assert.deepEqual(c.excludes, ['*.md', 'x']);
    assert.deepEqual(c.sources, ['a', 'b']);
    assert.equal(c.dest, '/dst/');
    assert.equal(c.range.start.line, 2);
  });
  it('reads symbolic chmod', () => {
    const c = one('COPY', 'COPY --chmod=u+x,go-w a /b');
    assert.deepEqual(c.chmod, { raw: 'u+x,go-w', symbolic: [{ who: 'u', op: '+', perms: 'x' }, { who: 'go', op: '-', perms: 'w' }] });
  });
  it('refuses a chmod beyond 07777 or garbage', () => {
    fails(inStage('COPY --chmod=17777 a /b'), 'DOCKERFILE_FLAG_INVALID', 'between 0 and 07777');
    fails(inStage('COPY --chmod=u+q a /b'), 'DOCKERFILE_FLAG_INVALID');
  });
  it('keeps a chmod with a variable for expansion', () => {
    assert.deepEqual(one('COPY', 'COPY --chmod=$MODE a /b').chmod, { raw: '$MODE' });
  });
  it('reads ADD flags and classifies sources', () => {
    const a = one('ADD', 'ADD --checksum=sha256:abc --keep-git-dir=true --unpack=false https://x.io/a.tgz git@github.com:o/r.git https://github.com/o/r.git local /d');
    assert.equal(a.checksum, 'sha256:abc');
    assert.equal(a.keepGitDir, true);
    assert.equal(a.unpack, false);
    assert.deepEqual(a.sourceKinds, ['url', 'git', 'git', 'context']);
  });
  it('refuses unknown flags with a suggestion', () => {
    fails(inStage('COPY --form=x a b'), 'DOCKERFILE_UNKNOWN_FLAG', 'did you mean --from?');
    fails(inStage('ADD --from=x a b'), 'DOCKERFILE_UNKNOWN_FLAG');
  });
  it('refuses duplicate and valueless flags', () => {
    fails(inStage('COPY --from=a --from=b a b'), 'DOCKERFILE_FLAG_INVALID', 'duplicate flag');
    fails(inStage('COPY --from a b'), 'DOCKERFILE_FLAG_INVALID', 'missing a value');
    fails(inStage('COPY --link=maybe a b'), 'DOCKERFILE_FLAG_INVALID', 'expecting boolean');
  });
  it('needs a destination', () => fails(inStage('COPY a'), 'DOCKERFILE_ARGUMENTS', 'at least two arguments'));
  it('reads heredoc sources, expanding unless quoted', () => {
    const c = one('COPY', 'COPY <<EOF <<"RAW" /dst/\nhello $X\nEOF\nkeep $Y\nRAW');
    assert.deepEqual(c.sourceContents, [
      { path: 'EOF', data: 'hello $X\n', expand: true },
      { path: 'RAW', data: 'keep $Y\n', expand: false },
    ]);
  });
  it('refuses a heredoc destination', () => fails(inStage('COPY a <<EOF\nx\nEOF'), 'DOCKERFILE_HEREDOC'));
});

describe('dockerfile instructions: RUN', () => {
  it('reads mounts, network, security', () => {
    const r = one('RUN', 'RUN --mount=type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0700,uid=1 --mount=type=secret,id=tok,env=TOKEN,required --network=none --security=insecure make');
    assert.deepEqual(r.mounts[0], { type: 'cache', readOnly: false, sizeLimit: 0, required: false, target: '/root/.cache', id: 'pip', sharing: 'locked', mode: 0o700, uid: 1 });
    assert.deepEqual(r.mounts[1], { type: 'secret', readOnly: true, sizeLimit: 0, required: true, id: 'tok', env: 'TOKEN' });
    assert.equal(r.network, 'none');
    assert.equal(r.security, 'insecure');
    assert.deepEqual(r.cmdLine, ['make']);
    assert.equal(r.prependShell, true);
  });
  it('defaults: bind read-only, tmpfs size', () => {
    const r = one('RUN', 'RUN --mount=target=/src --mount=type=tmpfs,target=/t,size=64m true');
    assert.equal(r.mounts[0]!.type, 'bind');
    assert.equal(r.mounts[0]!.readOnly, true);
    assert.equal(r.mounts[1]!.sizeLimit, 64 * 1024 * 1024);
  });
  it('refuses bad mounts', () => {
    fails(inStage('RUN --mount=type=bindd,target=/x true'), 'DOCKERFILE_FLAG_INVALID', 'unsupported mount type');
    fails(inStage('RUN --mount=type=bind,mode=0700,target=/x true'), 'DOCKERFILE_FLAG_INVALID', 'mode not allowed');
    fails(inStage('RUN --mount=type=secret true'), 'DOCKERFILE_FLAG_INVALID', 'one of source, target required');
    fails(inStage('RUN --mount=type=bind,from=$X,target=/x true'), 'DOCKERFILE_FLAG_INVALID', "doesn't support variable expansion");
    fails(inStage('RUN --mount=type=bind,foo=1 true'), 'DOCKERFILE_FLAG_INVALID', 'unexpected key');
    fails(inStage('RUN --network=bridge true'), 'DOCKERFILE_FLAG_INVALID', 'invalid network mode');
    fails(inStage('RUN --security=x true'), 'DOCKERFILE_FLAG_INVALID', 'is not valid');
  });
  it('exec form and heredoc files', () => {
    assert.deepEqual(one('RUN', 'RUN ["a", "b"]').cmdLine, ['a', 'b']);
    const r = one('RUN', 'RUN <<-EOF\n\techo hi\nEOF');
    assert.deepEqual(r.files, [{ name: 'EOF', data: '\techo hi\n', chomp: true }]);
  });
  it('refuses exec form with non-strings', () => fails(inStage('RUN ["a", 1]'), 'DOCKERFILE_SYNTAX', 'strings only'));
});
