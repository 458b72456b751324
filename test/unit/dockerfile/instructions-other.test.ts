import { strict as assert } from 'node:assert';
import { parseDockerfile } from '../../../src/dockerfile/parse-dockerfile';
import { expandInstruction } from '../../../src/dockerfile/instructions';
import { envFrom } from '../../../src/dockerfile/shell';
import { fails, inStage, one, stageOf } from './helpers';

describe('dockerfile instructions: FROM and stages', () => {
  it('reads AS name (lower-cased) and --platform', () => {
    const df = parseDockerfile('ARG V=1\nFROM --platform=$BUILDPLATFORM golang:$V AS Build\nRUN x\nFROM scratch\n');
    assert.equal(df.globalArgs[0]!.args[0]!.value, '1');
    const s = df.stages[0]!;
    assert.equal(s.name, 'build');
    assert.equal(s.from.stageNameAsWritten, 'Build');
    assert.equal(s.from.platform, '$BUILDPLATFORM');
    assert.equal(s.instructions.length, 1);
    assert.equal(df.stages[1]!.index, 1);
  });
  it('refuses bad stage names and argument counts', () => {
    fails('FROM a AS 1x\n', 'DOCKERFILE_STAGE_NAME');
    fails('FROM a AS b c\n', 'DOCKERFILE_ARGUMENTS', 'one or three');
  });
  it('refuses instructions before FROM other than ARG', () => fails('RUN x\nFROM a\n', 'DOCKERFILE_NO_STAGE'));
  it('suggests the instruction closest to an unknown one', () => fails(inStage('COPPY a b'), 'DOCKERFILE_UNKNOWN_INSTRUCTION', 'did you mean COPY?'));
  it('is case-insensitive', () => assert.equal(stageOf('run echo')[0]!.kind, 'RUN'));
});

describe('dockerfile instructions: HEALTHCHECK', () => {
  it('stores durations in ns and the test as Docker does', () => {
    const h = one('HEALTHCHECK', 'HEALTHCHECK --interval=5s --timeout=1m30s --start-period=100ms --start-interval=2s --retries=3 CMD curl -f x');
    assert.deepEqual(h.health, { test: ['CMD-SHELL', 'curl -f x'], interval: 5e9, timeout: 90e9, startPeriod: 1e8, startInterval: 2e9, retries: 3 });
    assert.deepEqual(one('HEALTHCHECK', 'HEALTHCHECK CMD ["a","b"]').health.test, ['CMD', 'a', 'b']);
    assert.deepEqual(one('HEALTHCHECK', 'HEALTHCHECK NONE').health.test, ['NONE']);
  });
  it('refuses bad options', () => {
    fails(inStage('HEALTHCHECK --interval=1us CMD x'), 'DOCKERFILE_FLAG_INVALID', 'cannot be less than 1ms');
    fails(inStage('HEALTHCHECK --interval=5 CMD x'), 'DOCKERFILE_FLAG_INVALID');
    fails(inStage('HEALTHCHECK --retries=-1 CMD x'), 'DOCKERFILE_FLAG_INVALID', 'cannot be negative');
    fails(inStage('HEALTHCHECK NONE x'), 'DOCKERFILE_ARGUMENTS');
    fails(inStage('HEALTHCHECK CONNECT x'), 'DOCKERFILE_ARGUMENTS', 'try CMD');
    fails(inStage('HEALTHCHECK CMD'), 'DOCKERFILE_ARGUMENTS', 'Missing command');
  });
});

describe('dockerfile instructions: ENV, LABEL, ARG, others', () => {
  it('reads both ENV forms', () => {
    assert.deepEqual(one('ENV', 'ENV A=1 B="x y"').env, [
      { key: 'A', value: '1', noDelim: false },
      { key: 'B', value: '"x y"', noDelim: false },
    ]);
    assert.deepEqual(one('ENV', 'ENV A x y').env, [{ key: 'A', value: 'x y', noDelim: true }]);
    fails(inStage('ENV A'), 'DOCKERFILE_SYNTAX', 'must have two arguments');
    fails(inStage('ENV A=1 B'), 'DOCKERFILE_SYNTAX', "can't find =");
  });
  it('reads ARG with and without defaults, and doc comments', () => {
    const a = one('ARG', '# VERSION the version\nARG VERSION=1 OTHER');
    assert.deepEqual(a.args, [{ key: 'VERSION', value: '1', docComment: 'the version' }, { key: 'OTHER' }]);
    fails(inStage('ARG =x'), 'DOCKERFILE_ARGUMENTS', 'can not be blank');
  });
  it('reads EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, SHELL, MAINTAINER', () => {
    assert.deepEqual(one('EXPOSE', 'EXPOSE 80/tcp 443').ports, ['443', '80/tcp']);
    assert.deepEqual(one('VOLUME', 'VOLUME ["/a", "/b"]').volumes, ['/a', '/b']);
    assert.equal(one('USER', 'USER app:app').user, 'app:app');
    assert.equal(one('WORKDIR', 'WORKDIR /app').path, '/app');
    assert.equal(one('STOPSIGNAL', 'STOPSIGNAL SIGTERM').signal, 'SIGTERM');
    assert.deepEqual(one('SHELL', 'SHELL ["/bin/bash", "-c"]').shell, ['/bin/bash', '-c']);
    fails(inStage('SHELL /bin/bash'), 'DOCKERFILE_ARGUMENTS', 'JSON form');
    assert.equal(one('MAINTAINER', 'MAINTAINER me').maintainer, 'me');
    fails(inStage('USER'), 'DOCKERFILE_ARGUMENTS');
  });
  it('reads ONBUILD and refuses forbidden triggers', () => {
    const o = one('ONBUILD', 'ONBUILD RUN echo hi');
    assert.equal(o.expression, 'RUN echo hi');
    assert.equal(o.trigger?.kind, 'RUN');
    fails(inStage('ONBUILD ONBUILD RUN x'), 'DOCKERFILE_ONBUILD_TRIGGER');
    fails(inStage('ONBUILD FROM x'), 'DOCKERFILE_ONBUILD_TRIGGER');
    fails(inStage('ONBUILD MAINTAINER x'), 'DOCKERFILE_ONBUILD_TRIGGER');
  });
});

describe('dockerfile instructions: expansion', () => {
  const env = envFrom({ DIR: '/app', MODE: '0640', U: 'me', PORTS: '80 443' });
  it('expands COPY fields but never --from', () => {
    const c = one('COPY', 'COPY --from=$DIR --chown=$U --chmod=$MODE $DIR/a ${DIR}/b');
    const { instruction, matched } = expandInstruction(c, env);
    assert.equal(instruction.from, '$DIR');
    assert.deepEqual(instruction.chown, { raw: 'me', user: 'me' });
    assert.deepEqual(instruction.chmod, { raw: '0640', octal: 0o640 });
    assert.deepEqual(instruction.sources, ['/app/a']);
    assert.equal(instruction.dest, '/app/b');
    assert.deepEqual(matched, ['DIR', 'MODE', 'U']);
  });
  it('splits EXPOSE into words (BuildKit reports no undefined names there)', () => {
    const { instruction, unmatched } = expandInstruction(one('EXPOSE', 'EXPOSE $PORTS $NOPE'), env);
    assert.deepEqual(instruction.ports, ['80', '443']);
    assert.deepEqual(unmatched, []);
  });
  it('expands RUN --mount values and leaves the command to the shell', () => {
    const r = one('RUN', 'RUN --mount=type=cache,target=$DIR/cache echo $DIR');
    const { instruction } = expandInstruction(r, env);
    assert.equal(instruction.mounts[0]!.target, '/app/cache');
    assert.deepEqual(instruction.cmdLine, ['echo $DIR']);
  });
});
