import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { makeDockerArchive } from '../../../fixtures/images/make-busybox-image';
import { runHoist } from '../../helpers/hoist-cli';
import { readTar, writeTar } from '../../helpers/tar-builder';
import { REPO_ROOT } from '../../helpers/paths';
import { tmpDir } from '../../helpers/tmp';

const CHECKS = path.join(REPO_ROOT, 'fixtures', 'dockerfile', 'checks');

describe("hoist check: BuildKit's build checks from the command line", function () {
  this.timeout(120_000);
  let root: string;

  before(async () => {
    root = tmpDir();
    // InvalidBaseImagePlatform needs to know the base image: an arm64 `alpine` in the store
    const work = tmpDir();
    const archive = path.join(work, 'alpine.tar');
    await makeDockerArchive(archive, { tags: ['alpine:latest'], layers: [[{ path: 'etc/os-release', content: 'ID=fake\n' }]] });
    const arm = path.join(work, 'alpine-arm.tar');
    // rewrite the fixture's config to arm64 by building it again with another architecture
    const m = await readTar(archive);
    const dm = JSON.parse(m.get('manifest.json')!.toString());
    const cfg = JSON.parse(m.get(dm[0].Config)!.toString());
    cfg.architecture = 'arm64';
    cfg.variant = 'v8';
    const raw = JSON.stringify(cfg);
    const hex = createHash('sha256').update(raw).digest('hex');
    dm[0].Config = `${hex}.json`;
    await writeTar(arm, [
      ...[...m].filter(([n]) => n.endsWith('layer.tar')).map(([name, data]) => ({ name, data })),
      { name: `${hex}.json`, data: raw },
      { name: 'manifest.json', data: JSON.stringify(dm) },
    ]);
    const r = await runHoist(['load', '-i', arm], { root });
    assert.equal(r.code, 0, r.stderr);
  });

  for (const rule of fs.readdirSync(CHECKS).filter((n) => /^[A-Z]/.test(n))) {
    it(`reports ${rule}`, async () => {
      const r = await runHoist(['check', path.join(CHECKS, rule)], { root });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`WARN: ${rule}: `));
      const j = await runHoist(['check', '--format', 'json', path.join(CHECKS, rule)], { root });
      const parsed = JSON.parse(j.stdout) as { warnings: { ruleName: string; location: { start: { line: number } } }[] };
      const w = parsed.warnings.find((x) => x.ruleName === rule);
      assert.ok(w, `${rule} in the JSON report`);
      const expectedFile = path.join(CHECKS, rule, 'expected.json');
      if (fs.existsSync(expectedFile)) {
        const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as { line?: number };
        if (expected.line !== undefined) assert.equal(w.location.start.line, expected.line);
      }
    });
  }

  it('a clean Dockerfile passes with exit status 0; a broken one gives file:line:column and a hint', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM busybox AS build\nRUN ["echo", "hi"]\nCMD ["sh"]\n');
    const ok = await runHoist(['check', dir], { root });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    fs.writeFileSync(path.join(dir, 'Dockerfile.bad'), 'FROM busybox\nCOPPY a b\n');
    const bad = await runHoist(['check', '-f', path.join(dir, 'Dockerfile.bad'), dir], { root });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Dockerfile\.bad:2:1: unknown instruction: COPPY \(did you mean COPY\?\)\n2 \| COPPY a b\n {4}\^/);
    const usage = await runHoist(['check', '--format', 'xml', dir], { root });
    assert.equal(usage.code, 2);
  });
});
