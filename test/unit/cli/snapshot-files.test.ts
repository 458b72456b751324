import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileIdentity, HOIST_V8_FLAGS, snapshotFiles, snapshotKindFor } from '../../../src/cli/snapshot/snapshot-files';
import { REPO_ROOT } from '../../helpers/paths';

describe('cli/snapshot/snapshot-files', () => {
  it("holds the V8 flags bin/hoist's shell part passes (a blob loads only with its own)", () => {
    const line = /^flags='([^']*)'$/m.exec(fs.readFileSync(path.join(REPO_ROOT, 'bin', 'hoist'), 'utf8'));
    assert.ok(line, 'no flags= line in bin/hoist');
    assert.deepEqual(line[1]!.split(' '), [...HOIST_V8_FLAGS]);
  });

  it("prints a file's identity as the shell part's stat does", () => {
    const stat = execFileSync('stat', ['-L', '-c', '%a %d.%i.%s.%Y.%Z', '--', process.execPath], { encoding: 'utf8' });
    assert.equal(fileIdentity(process.execPath), stat.trim());
    assert.equal(fileIdentity('/nonexistent/file'), undefined);
  });

  it('is off with HOIST_SNAPSHOT=0, with the compile cache off, or with no home; else in the cache directory', () => {
    assert.equal(snapshotFiles('/r', 'base', { HOME: '/h', HOIST_SNAPSHOT: '0' }), undefined);
    assert.equal(snapshotFiles('/r', 'base', { HOME: '/h', HOIST_COMPILE_CACHE: '0' }), undefined);
    assert.equal(snapshotFiles('/r', 'base', {}), undefined);
    const files = snapshotFiles('/r', 'base', { HOME: '/h' })!;
    assert.match(files.blob, new RegExp(`^/h/\\.cache/hoist/snapshot-${process.version}-${process.arch}-[0-9a-f]{8}\\.blob$`));
    assert.equal(path.dirname(snapshotFiles('/r', 'base', { HOIST_COMPILE_CACHE: '/c' })!.stamp), '/c');
    assert.notEqual(snapshotFiles('/other', 'base', { HOME: '/h' })!.blob, files.blob, 'two package roots share a blob');
    // bin/hoist's shell part globs snapshot-v*.stamp, or snapshot-build-v*.stamp when the subcommand is `build`
    assert.match(path.basename(files.stamp), /^snapshot-v/);
    assert.match(path.basename(snapshotFiles('/r', 'build', { HOME: '/h' })!.stamp), /^snapshot-build-v/);
    assert.match(path.basename(snapshotFiles('/r', 'query', { HOME: '/h' })!.stamp), /^snapshot-query-v/);
  });

  it('picks the heap by the subcommand, as the shell part does', () => {
    assert.equal(snapshotKindFor(['--root', 'x', 'build', '.']), 'build');
    assert.equal(snapshotKindFor(['--root', 'images', 'build', '.']), 'build');
    assert.equal(snapshotKindFor(['--debug', 'images']), 'query');
    assert.equal(snapshotKindFor(['inspect', 'busybox']), 'query');
    assert.equal(snapshotKindFor(['history', 'busybox']), 'query');
    assert.equal(snapshotKindFor(['push', 'build:1']), 'push');
    // an argument after the subcommand picks nothing (`build` named a heap wherever it stood before)
    assert.equal(snapshotKindFor(['run', 'busybox', 'build']), 'base');
    assert.equal(snapshotKindFor(['--version']), 'base');
    assert.equal(snapshotKindFor(['--', 'build']), 'base');
    assert.equal(snapshotKindFor([]), 'base');
  });
});
