import * as assert from 'node:assert/strict';
import { parseCacheExport, parseCacheImport } from '../../../../../src/build/cache/remote/cache-spec';
import { isHoistError } from '../../../../../src/errors';

const usage = (fn: () => unknown): void => assert.throws(fn, (e: unknown) => isHoistError(e, 'USAGE'));

describe('build/cache/remote: --cache-from / --cache-to specs (buildx CSV)', () => {
  it('reads registry, local and a bare REF for --cache-from', () => {
    assert.deepEqual(parseCacheImport('type=registry,ref=reg:5000/app:cache'), { type: 'registry', ref: 'reg:5000/app:cache' });
    assert.deepEqual(parseCacheImport('reg:5000/app:cache'), { type: 'registry', ref: 'reg:5000/app:cache' });
    assert.deepEqual(parseCacheImport('type=local,src=/c'), { type: 'local', src: '/c', tag: 'latest' });
    assert.deepEqual(parseCacheImport('type=local,src=/c,digest=sha256:ab'), { type: 'local', src: '/c', tag: 'latest', digest: 'sha256:ab' });
  });

  it('reads --cache-to with BuildKit defaults (mode=min, gzip, OCI media types, an index)', () => {
    assert.deepEqual(parseCacheExport('type=registry,ref=r/app:c'), { type: 'registry', ref: 'r/app:c', mode: 'min', ignoreError: false, compression: 'gzip', oci: true, imageManifest: false });
    const e = parseCacheExport('type=registry,ref=r/app:c,mode=max,compression=zstd,oci-mediatypes=true,image-manifest=true,ignore-error=true');
    assert.deepEqual(e, { type: 'registry', ref: 'r/app:c', mode: 'max', ignoreError: true, compression: 'zstd', oci: true, imageManifest: true });
    assert.equal(parseCacheExport('type=local,dest=/d').type, 'local');
    assert.deepEqual(parseCacheExport('type=inline'), { type: 'inline', mode: 'min', ignoreError: false });
  });

  it('refuses what buildx refuses', () => {
    usage(() => parseCacheImport('type=registry'));
    usage(() => parseCacheImport('type=gha'));
    usage(() => parseCacheExport('type=registry'));
    usage(() => parseCacheExport('type=local'));
    usage(() => parseCacheExport('type=registry,ref=r/a,mode=all'));
    usage(() => parseCacheExport('type=registry,ref=r/a,compression=lz4'));
    usage(() => parseCacheExport('type=registry,ref=r/a,oci-mediatypes=false,image-manifest=true'));
    usage(() => parseCacheExport('type=registry,ref=r/a,ignore-error=maybe'));
    usage(() => parseCacheImport('type=local,src=/c,oops'));
  });
});
