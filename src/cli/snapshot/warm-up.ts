/* eslint-disable @typescript-eslint/no-require-imports */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listImages } from '../../image/describe-image';
import { digestOf } from '../../oci/digest';
import { MediaType } from '../../oci/media-types';
import { hostPlatform } from '../../oci/platform';
import { IndexStore } from '../../store/index-store';
import { LocalContentStore } from '../../store/local-content-store';
import type { Store } from '../../store/store';
import { StorePaths } from '../../store/store-paths';
import { humanSince, humanSize, renderTable } from '../render/format';
import type { SnapshotKind } from './snapshot-files';

/** What the build warm-up parses, plans and checks: the instructions a Dockerfile commonly has. */
const DOCKERFILE = `# syntax=docker/dockerfile:1
ARG BASE=debian:bookworm
FROM \${BASE} AS compile
ARG VERSION=1
ENV APP_HOME=/app PATH=/app/bin:$PATH
WORKDIR /work
COPY --chown=0:0 build.sh ./
COPY src/ ./src/
RUN sh build.sh src /out && echo "$VERSION" > /out/version
FROM \${BASE}
LABEL org.opencontainers.image.title=app
COPY --from=compile /out/ /app/
RUN ["/bin/sh", "-c", "ls /app"]
EXPOSE 8080/tcp
USER app
WORKDIR /app
CMD ["/app/bin/run"]
`;

/**
 * Run by the snapshot entry while the heap is made (after the modules have
 * loaded, before V8 serializes it), so that V8 keeps the compiled code of what
 * every start would compile on first use: `hoist images` on a store of one
 * image in a temp directory (index, manifest and config read and checked,
 * references parsed, the table drawn), and in the build heap a Dockerfile
 * parsed, planned and checked (docs/run.md, docs/bench.md). Pure functions
 * and reads only: no lock, lease or store update, which would keep this
 * process's pid, time or host in the heap (file-lock.ts remembers its owner
 * line on first use).
 */
export async function warmUp(kind: SnapshotKind = 'base'): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hoist-snapshot-warm-up-'));
  try {
    const paths = new StorePaths(dir);
    const content = new LocalContentStore(dir);
    const put = (doc: unknown): { mediaType: string; digest: ReturnType<typeof digestOf>; size: number } => {
      const data = Buffer.from(JSON.stringify(doc));
      const digest = digestOf(data);
      fs.mkdirSync(path.dirname(content.blobPath(digest)), { recursive: true });
      fs.writeFileSync(content.blobPath(digest), data);
      return { mediaType: '', digest, size: data.length };
    };
    const config = put({ architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: {}, rootfs: { type: 'layers', diff_ids: [] }, history: [] });
    const manifest = put({ schemaVersion: 2, mediaType: MediaType.OciManifest, config: { ...config, mediaType: MediaType.OciConfig }, layers: [] });
    const entry = { ...manifest, mediaType: MediaType.OciManifest, annotations: { 'org.opencontainers.image.ref.name': 'docker.io/library/warm-up:1' } };
    fs.writeFileSync(paths.index, JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [entry] }));
    for (let i = 0; i < 2; i++) {
      const rows = await listImages({ index: new IndexStore(paths), content } as unknown as Store);
      renderTable(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows.map((r) => [r.repository, r.tag, r.id, humanSince(r.created), humanSize(r.size)]));
    }
    if (kind === 'build') warmUpBuild();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The build area's first steps on DOCKERFILE (its modules are in the build heap only: required here, not imported). */
function warmUpBuild(): void {
  const { parseDockerfile } = require('../../dockerfile/parse-dockerfile') as typeof import('../../dockerfile/parse-dockerfile');
  const { planStages } = require('../../build/plan/plan-stages') as typeof import('../../build/plan/plan-stages');
  const { checkDockerfile } = require('../../dockerfile/checks/run-checks') as typeof import('../../dockerfile/checks/run-checks');
  const { cacheKey } = require('../../build/cache/build-cache') as typeof import('../../build/cache/build-cache');
  const platform = hostPlatform();
  for (let i = 0; i < 2; i++) {
    const df = parseDockerfile(DOCKERFILE, { file: 'Dockerfile' });
    const plan = planStages(df, { buildArgs: { VERSION: '2' }, buildPlatform: platform, targetPlatform: platform });
    checkDockerfile(df, { buildArgs: { VERSION: '2' }, targetPlatform: platform, baseImage: () => ({ platform, env: ['PATH=/usr/bin:/bin'] }) });
    cacheKey(undefined, { plan: plan.order, step: df.stages[0]?.instructions.length });
  }
}
