import type { ArchiveImage, ImageConfigFile, ImageEntry } from './image-archive';
import { flattenLayers } from './image-tree';

/** What the comparer looks at; every section by default. */
export type CompareSection = 'tree' | 'layers' | 'config' | 'history';
export const ALL_SECTIONS: readonly CompareSection[] = ['tree', 'layers', 'config', 'history'];

export interface CompareOptions {
  sections?: readonly CompareSection[];
  /** how the two sides are named in the report (default docker, hoist) */
  names?: readonly [string, string];
  /** paths (in trees and layers) left out of the comparison */
  ignorePaths?: readonly RegExp[];
}

/** The config fields compared (docker's names); null and absent are the same. */
export const CONFIG_FIELDS = [
  'Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Labels', 'Volumes',
  'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped',
] as const;

const ENTRY_FIELDS = ['type', 'mode', 'uid', 'gid', 'size', 'sha256', 'linkname', 'rdev', 'xattrs'] as const;

/** JSON with object keys sorted and null as absent, so equal values print equal. */
export function canonical(value: unknown): string | undefined {
  const norm = (v: unknown): unknown => {
    if (v === null || v === undefined) return undefined;
    if (Array.isArray(v)) return v.map(norm);
    if (typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v as object).sort()) {
        const x = norm((v as Record<string, unknown>)[k]);
        if (x !== undefined) o[k] = x;
      }
      return o;
    }
    return v;
  };
  const n = norm(value);
  return n === undefined ? undefined : JSON.stringify(n);
}

function show(field: string, v: unknown): string {
  if (v === undefined) return 'absent';
  if (field === 'mode' && typeof v === 'number') return `0${v.toString(8).padStart(3, '0')}`;
  const s = canonical(v) ?? 'absent';
  return s.length > 160 ? `${s.slice(0, 157)}...` : s;
}

function differ(where: string, field: string, a: unknown, b: unknown, names: readonly [string, string]): string | undefined {
  if (canonical(a) === canonical(b)) return undefined;
  return `${where}: ${field} ${names[0]}=${show(field, a)} ${names[1]}=${show(field, b)}`;
}

/** Per path: present on one side only, or each differing field. */
export function compareEntries(where: string, a: ReadonlyMap<string, ImageEntry>, b: ReadonlyMap<string, ImageEntry>, options: CompareOptions = {}): string[] {
  const names = options.names ?? ['docker', 'hoist'];
  const ignored = (p: string): boolean => (options.ignorePaths ?? []).some((r) => r.test(p));
  const out: string[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const p of paths) {
    if (ignored(p)) continue;
    const x = a.get(p);
    const y = b.get(p);
    if (x === undefined || y === undefined) {
      const [side, e] = x === undefined ? [names[1], y as ImageEntry] : [names[0], x];
      out.push(`${where} /${p}: only in ${side} (${e.type})`);
      continue;
    }
    for (const f of ENTRY_FIELDS) {
      // a small text file's differing body is shown as text, not as two hashes
      const shown = f === 'sha256' && x.text !== undefined && y.text !== undefined ? 'text' : f;
      const d = differ(`${where} /${p}`, shown === 'text' ? 'content' : f, x[shown], y[shown], names);
      if (d !== undefined) out.push(d);
    }
  }
  return out;
}

function byPath(entries: readonly ImageEntry[]): Map<string, ImageEntry> {
  return new Map(entries.map((e) => [e.path, e]));
}

function compareConfig(a: ImageConfigFile, b: ImageConfigFile, names: readonly [string, string]): string[] {
  const out: string[] = [];
  for (const f of ['architecture', 'os', 'author'] as const) {
    const d = differ('config', f, a[f], b[f], names);
    if (d !== undefined) out.push(d);
  }
  for (const f of CONFIG_FIELDS) {
    const d = differ('config', f, a.config?.[f], b.config?.[f], names);
    if (d !== undefined) out.push(d);
  }
  return out;
}

function compareHistory(a: ImageConfigFile, b: ImageConfigFile, names: readonly [string, string]): string[] {
  const ha = a.history ?? [];
  const hb = b.history ?? [];
  const out: string[] = [];
  if (ha.length !== hb.length) out.push(`history: entries ${names[0]}=${ha.length} ${names[1]}=${hb.length}`);
  for (let i = 0; i < Math.max(ha.length, hb.length); i++) {
    const x = ha[i];
    const y = hb[i];
    if (x === undefined || y === undefined) {
      out.push(`history[${i}]: only in ${x === undefined ? names[1] : names[0]} (${show('', (x ?? y)?.created_by)})`);
      continue;
    }
    for (const d of [
      differ(`history[${i}]`, 'created_by', x.created_by, y.created_by, names),
      differ(`history[${i}]`, 'empty_layer', x.empty_layer === true, y.empty_layer === true, names),
      differ(`history[${i}]`, 'comment', x.comment, y.comment, names),
    ]) {
      if (d !== undefined) out.push(d);
    }
  }
  return out;
}

/**
 * Every difference between two images, as readable lines
 * (`tree /etc/x: mode docker=0644 hoist=0755`); empty when they agree.
 */
export function compareImages(a: ArchiveImage, b: ArchiveImage, options: CompareOptions = {}): string[] {
  const names = options.names ?? ['docker', 'hoist'];
  const sections = new Set(options.sections ?? ALL_SECTIONS);
  const out: string[] = [];
  if (sections.has('tree')) out.push(...compareEntries('tree', flattenLayers(a.layers), flattenLayers(b.layers), options));
  if (sections.has('layers')) {
    if (a.layers.length !== b.layers.length) out.push(`layers: count ${names[0]}=${a.layers.length} ${names[1]}=${b.layers.length}`);
    const n = Math.min(a.layers.length, b.layers.length);
    for (let i = 0; i < n; i++) out.push(...compareEntries(`layer ${i}`, byPath(a.layers[i] ?? []), byPath(b.layers[i] ?? []), options));
  }
  if (sections.has('config')) out.push(...compareConfig(a.config, b.config, names));
  if (sections.has('history')) out.push(...compareHistory(a.config, b.config, names));
  return out;
}
