import { BuildError } from '../../errors';

/**
 * SOURCE_DATE_EPOCH as BuildKit's Dockerfile frontend takes it: the build arg
 * (buildx and buildctl pass the client's environment variable as that), else a
 * non-empty global `ARG SOURCE_DATE_EPOCH=…` default. Seconds since 1970 (Go's
 * ParseInt: an optional sign, digits); `context` means the context's own time,
 * which a local context does not have (ignored, as BuildKit does); empty means
 * unset. BuildKit's newer form naming a `FROM scratch` stage with one remote
 * ADD is refused, as is anything else.
 */
export function sourceDateEpochOf(buildArgs: Record<string, string>, globalArgs?: ReadonlyMap<string, string>): number | undefined {
  let v: string | undefined;
  if (Object.hasOwn(buildArgs, 'SOURCE_DATE_EPOCH')) v = buildArgs.SOURCE_DATE_EPOCH;
  else if (globalArgs?.get('SOURCE_DATE_EPOCH')) v = globalArgs.get('SOURCE_DATE_EPOCH');
  if (v === undefined || v === '' || v === 'context') return undefined;
  if (/^[+-]?[0-9]+$/.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  throw new BuildError('BUILD_SOURCE_DATE_EPOCH_INVALID', `invalid SOURCE_DATE_EPOCH: ${v} (want seconds since 1970-01-01 UTC)`, { value: v });
}
