import { strict as assert } from 'node:assert';
import { isHoistError } from '../../../../src/errors';
import { defaultSpec, runtimeSpecProblems, validateRuntimeSpec, type RuntimeSpec } from '../../../../src/convert';

function withArgs(): RuntimeSpec {
  const s = defaultSpec();
  s.process.args = ['sh'];
  return s;
}

describe('runtimeSpecProblems', () => {
  it('accepts the default spec with a command', () => {
    assert.deepEqual(runtimeSpecProblems(withArgs()), []);
  });

  const cases: [string, (s: RuntimeSpec) => void, RegExp][] = [
    ['empty args', (s) => void (s.process.args = []), /process\.args/],
    ['relative cwd', (s) => void (s.process.cwd = 'srv'), /process\.cwd/],
    ['env without =', (s) => void s.process.env.push('JUSTNAME'), /process\.env/],
    ['bad version', (s) => void (s.ociVersion = '2'), /ociVersion/],
    ['relative mount destination', (s) => void s.mounts.push({ destination: 'data', type: 'bind', source: 'x' }), /destination/],
    ['bind without source', (s) => void s.mounts.push({ destination: '/d', type: 'bind' }), /no source/],
    ['duplicate namespace', (s) => void s.linux.namespaces.push({ type: 'pid' }), /appears twice/],
    ['mappings without user namespace', (s) => void (s.linux.uidMappings = [{ containerID: 0, hostID: 1, size: 1 }]), /need a user namespace/],
    ['user namespace without mappings', (s) => void s.linux.namespaces.push({ type: 'user' }), /needs uid and gid mappings/],
    ['hostname without uts', (s) => void (s.linux.namespaces = s.linux.namespaces.filter((n) => n.type !== 'uts')), /uts/],
    ['bad capability', (s) => void s.process.capabilities!.bounding!.push('sys_admin'), /capability/],
    ['negative uid', (s) => void (s.process.user.uid = -1), /process\.user/],
  ];
  for (const [name, mutate, want] of cases) {
    it(`finds ${name}`, () => {
      const s = withArgs();
      mutate(s);
      const problems = runtimeSpecProblems(s);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0]!, want);
      assert.throws(() => validateRuntimeSpec(s), (e: unknown) => isHoistError(e, 'CONVERT_BUNDLE_SPEC_INVALID'));
    });
  }
});
