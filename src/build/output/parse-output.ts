import { BuildError } from '../../errors';
import type { BuildOutput } from '../types';

/** Go's strconv.ParseBool, as BuildKit reads exporter options. */
function parseGoBool(v: string, spec: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new BuildError('BUILD_OUTPUT_INVALID', `invalid --output value rewrite-timestamp=${v} in ${JSON.stringify(spec)}: want true or false`, { spec });
}

/**
 * docker's `--output` forms: `type=docker|oci|local|image,dest=PATH` (CSV), or
 * a bare PATH meaning `type=local,dest=PATH`; `rewrite-timestamp=true|false` as BuildKit's
 * image exporters take it (other BuildKit keys, e.g. `name=`, are ignored).
 */
export function parseOutputSpec(spec: string): BuildOutput {
  if (!spec.includes('=')) {
    if (spec === '' || spec === '-') throw new BuildError('BUILD_OUTPUT_INVALID', `--output ${JSON.stringify(spec)}: give a directory, or type=…,dest=…`, { spec });
    return { type: 'local', dest: spec };
  }
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) throw new BuildError('BUILD_OUTPUT_INVALID', `invalid --output field ${JSON.stringify(part)} in ${JSON.stringify(spec)}: want key=value`, { spec });
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1));
  }
  const type = fields.get('type') ?? 'local';
  const dest = fields.get('dest');
  const rewrite = fields.get('rewrite-timestamp');
  const extra = rewrite !== undefined ? { rewriteTimestamp: parseGoBool(rewrite, spec) } : {};
  switch (type) {
    case 'image':
      return { type: 'image', ...extra };
    case 'docker':
    case 'oci':
    case 'local':
      if (dest === undefined || dest === '') throw new BuildError('BUILD_OUTPUT_INVALID', `--output type=${type} needs dest=PATH`, { spec });
      return { type, dest, ...extra };
    default:
      throw new BuildError('BUILD_OUTPUT_INVALID', `unsupported --output type ${JSON.stringify(type)} (docker, oci, local, image)`, { spec });
  }
}

/**
 * Whether the layers a build writes get their file times clamped to SOURCE_DATE_EPOCH: by
 * default whenever an epoch is set (so the epoch alone makes the image reproducible); an image
 * output's `rewrite-timestamp=false` keeps BuildKit's default (times kept, only the config,
 * history and WORKDIR dated), `=true` asks for it explicitly. `local` outputs date their files
 * anyway. The layers are written once for every output, so image outputs that disagree are refused.
 */
export function layerTimesClamped(outputs: readonly BuildOutput[], epochSet: boolean): { clamp: boolean; asked: boolean } {
  const said = new Set(outputs.filter((o) => o.type !== 'local' && o.rewriteTimestamp !== undefined).map((o) => o.rewriteTimestamp));
  if (said.size > 1) throw new BuildError('BUILD_OUTPUT_INVALID', 'the outputs disagree on rewrite-timestamp: the layers are written once for all of them', {});
  const asked = said.has(true);
  return { clamp: epochSet && !said.has(false), asked };
}
