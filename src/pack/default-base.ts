import type { PackageManifest } from './read-project';

/** Node.js release lines an official `node:N-slim` exists for (even majors are the LTS lines). */
const MAJORS = [18, 20, 22, 24];

/**
 * `node:MAJOR-slim`, MAJOR the highest release line that `engines.node`
 * allows, else the running node's major.
 */
export function defaultBase(manifest: PackageManifest, running: string = process.versions.node): string {
  // loaded here, not at import: semver is 47 modules, and a pack with --base needs none of them
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const semver = require('semver') as typeof import('semver');
  const own = semver.major(running);
  const range = manifest.engines?.node;
  const candidates = [...new Set([...MAJORS, own])].sort((a, b) => b - a);
  if (range !== undefined && semver.validRange(range) !== null) {
    const hit = candidates.find((m) => semver.intersects(range, `${m}.x`));
    if (hit !== undefined) return `node:${hit}-slim`;
  }
  return `node:${own}-slim`;
}
