import * as path from 'node:path';
import { PackError } from '../errors';
import type { PackageManifest } from './read-project';

/** A path of the package as an absolute path under /app (`./bin/x.js` -> `/app/bin/x.js`). */
function underApp(rel: string): string {
  return path.posix.join('/app', path.posix.normalize(rel.replace(/\\/g, '/')));
}

/** The shell words of a simple `node X ARGS` start script; undefined when it is anything else. */
function nodeStartScript(start: string | undefined): string[] | undefined {
  if (start === undefined || /[|&;<>()$`"'\\*?]/.test(start)) return undefined;
  const words = start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.length < 2 || (words[1] as string).startsWith('-')) return undefined;
  return [underApp(words[1] as string), ...words.slice(2)];
}

/** The `bin` to run: the only one, or the one named as the package (its unscoped name), as npx picks. */
function chosenBin(m: PackageManifest): string | undefined {
  if (typeof m.bin === 'string') return m.bin;
  if (m.bin === undefined || typeof m.bin !== 'object') return undefined;
  const entries = Object.entries(m.bin);
  if (entries.length === 1) return entries[0]![1];
  const own = m.name?.replace(/^@[^/]+\//, '');
  return entries.find(([k]) => k === own)?.[1];
}

/**
 * The image's Entrypoint: node itself runs the program (not npm, so signals
 * reach it): the package's `bin`, else `main`, else a `node X` start script.
 */
export function entrypointOf(m: PackageManifest, override?: string[]): string[] {
  if (override !== undefined && override.length > 0) return override;
  const bin = chosenBin(m);
  if (bin !== undefined) return ['node', underApp(bin)];
  if (typeof m.main === 'string' && m.main !== '') return ['node', underApp(m.main)];
  const start = nodeStartScript(m.scripts?.start);
  if (start !== undefined) return ['node', ...start];
  throw new PackError('PACK_NO_ENTRYPOINT', 'package.json has no bin, no main and no `node FILE` start script: give --entrypoint', { name: m.name });
}
