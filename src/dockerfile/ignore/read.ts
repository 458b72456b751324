import * as fs from 'node:fs';
import * as path from 'node:path';
import { isErrno } from '../../errors';
import { cleanPath } from './clean-path';

/**
 * Read .dockerignore text into patterns (ignorefile.ReadAll): BOM dropped,
 * `#` lines skipped, blank lines skipped, patterns trimmed and cleaned, one
 * leading `/` removed; a `!` stays in front.
 */
export function readIgnoreFile(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    let p = i === 0 && line.startsWith('\ufeff') ? line.slice(1) : line;
    if (p.endsWith('\r')) p = p.slice(0, -1);
    if (p.startsWith('#')) return;
    p = p.trim();
    if (p === '') return;
    const invert = p.startsWith('!');
    if (invert) p = p.slice(1).trim();
    if (p.length > 0) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push(invert ? '!' + p : p);
  });
  return out;
}

export interface IgnoreFile {
  /** the file the patterns came from, or undefined when there is none */
  file?: string;
  patterns: string[];
}

/**
 * The ignore file BuildKit uses: `<Dockerfile>.dockerignore` beside the
 * Dockerfile wins over `.dockerignore` at the context root.
 */
export function loadIgnoreFile(contextDir: string, dockerfilePath?: string): IgnoreFile {
  const candidates = [
    ...(dockerfilePath ? [dockerfilePath + '.dockerignore'] : []),
    path.join(contextDir, '.dockerignore'),
  ];
  for (const file of candidates) {
    try {
      return { file, patterns: readIgnoreFile(fs.readFileSync(file, 'utf8')) };
    } catch (err) {
      if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw err;
    }
  }
  return { patterns: [] };
}
