import type { Platform } from '../../oci';
import type { EnvGetter } from '../shell/env';
import { expandWord } from '../shell/expand';
import type { ArgInstruction } from './instruction';

/**
 * ARGs every build defines without a declaration (but a stage sees them only
 * after `ARG NAME`): the build and target platforms and the target stage.
 */
export const AUTOMATIC_PLATFORM_ARGS = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDOSVERSION', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETOSVERSION', 'TARGETARCH', 'TARGETVARIANT', 'TARGETSTAGE',
] as const;

/** Proxy ARGs: usable without declaration, kept out of the image history and config. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'] as const;

/** ARGs that never become environment variables of RUN. */
export const NON_ENV_ARGS = ['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE'] as const;

const formatPlatform = (p: Platform): string => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** The values of the automatic platform ARGs (BuildKit's defaultArgs); overrides win. */
export function defaultPlatformArgs(opts: { buildPlatform: Platform; targetPlatform: Platform; target?: string; overrides?: Record<string, string> }): Map<string, string> {
  const b = opts.buildPlatform;
  const t = opts.targetPlatform;
  const entries: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(b)],
    ['BUILDOS', b.os],
    ['BUILDOSVERSION', b['os.version'] ?? ''],
    ['BUILDARCH', b.architecture],
    ['BUILDVARIANT', b.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(t)],
    ['TARGETOS', t.os],
    ['TARGETOSVERSION', t['os.version'] ?? ''],
    ['TARGETARCH', t.architecture],
    ['TARGETVARIANT', t.variant ?? ''],
    ['TARGETSTAGE', opts.target || 'default'],
  ];
  return new Map(entries.map(([k, v]) => [k, opts.overrides?.[k] ?? v]));
}

/**
 * Resolve the global ARGs (before the first FROM) in order, as buildMetaArgs
 * does: a --build-arg value wins, else the default expanded with the ARGs so far.
 * The result is the environment FROM lines expand against.
 */
export function resolveGlobalArgs(
  globalArgs: readonly ArgInstruction[],
  buildArgs: Record<string, string>,
  defaults: Map<string, string>,
  escapeToken = '\\',
): Map<string, string> {
  const env = new Map(defaults);
  const getter: EnvGetter = { get: (k) => env.get(k), keys: () => [...env.keys()] };
  for (const ins of globalArgs) {
    for (const a of ins.args) {
      let value: string | undefined;
      if (Object.hasOwn(buildArgs, a.key)) value = buildArgs[a.key];
      else if (a.value !== undefined) value = expandWord(a.value, getter, { escapeToken }).result;
      if (value !== undefined) env.set(a.key, value);
    }
  }
  return env;
}
