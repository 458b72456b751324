import * as assert from 'node:assert/strict';
import type { Descriptor } from '../../../../src/oci/descriptor';
import { digestOf } from '../../../../src/oci/digest';
import { MediaType } from '../../../../src/oci/media-types';
import type { Platform } from '../../../../src/oci/platform';
import { selectPlatform } from '../../../../src/registry/pull/select-platform';

const d = (platform: Platform, mediaType: string = MediaType.OciManifest): Descriptor => ({ mediaType, digest: digestOf(JSON.stringify(platform)), size: 1, platform });

describe('registry/select-platform', () => {
  const index = {
    schemaVersion: 2 as const,
    manifests: [
      d({ os: 'linux', architecture: 'amd64' }),
      d({ os: 'linux', architecture: 'arm', variant: 'v6' }),
      d({ os: 'linux', architecture: 'arm', variant: 'v7' }),
      d({ os: 'linux', architecture: 'arm64' }),
      d({ os: 'unknown', architecture: 'unknown' }),
    ],
  };

  it('picks the exact variant first, then a compatible older one', () => {
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v7' }).platform?.variant, 'v7');
    const v6only = { ...index, manifests: index.manifests.filter((m) => m.platform?.variant !== 'v7') };
    assert.equal(selectPlatform(v6only, { os: 'linux', architecture: 'arm', variant: 'v7' }).platform?.variant, 'v6');
  });

  it('treats arm64 without variant as v8 and fails with PLATFORM_NOT_FOUND listing what exists', () => {
    assert.equal(selectPlatform(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }).platform?.architecture, 'arm64');
    assert.throws(() => selectPlatform(index, { os: 'linux', architecture: 's390x' }), (e: { code: string; details: { available: string[] } }) => {
      assert.equal(e.code, 'PLATFORM_NOT_FOUND');
      assert.ok(e.details.available.includes('linux/amd64'));
      return true;
    });
  });

  it('skips entries that are not image manifests (attestations)', () => {
    const idx = { schemaVersion: 2 as const, manifests: [d({ os: 'linux', architecture: 'amd64' }, 'application/vnd.example+json')] };
    assert.throws(() => selectPlatform(idx, { os: 'linux', architecture: 'amd64' }), { code: 'PLATFORM_NOT_FOUND' });
  });
});
