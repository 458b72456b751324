import * as fs from 'node:fs';

/**
 * NODE_EXTRA_CA_CERTS, read when hoist opens a TLS connection rather than
 * when node starts.
 *
 * Node 20 parses the file NODE_EXTRA_CA_CERTS names before any JavaScript
 * runs. Where it names Debian's whole bundle (144 certificates, as on the
 * machines here and on many CI images), that is ~55 ms of every start
 * (`node -e 0`: 0.08 s against 0.025 s without it), though most hoist
 * commands never open a TLS connection. So bin/hoist's shell part passes the
 * value as HOIST_DEFERRED_EXTRA_CA_CERTS with NODE_EXTRA_CA_CERTS unset;
 * `restoreDeferredExtraCa` (at start) puts it back in process.env, so child
 * processes (credential helpers, git) see what the user set, and every TLS
 * context hoist makes trusts the file through `tlsCaDefaults()`, as node's
 * default roots would have.
 */
export const DEFERRED_EXTRA_CA_ENV = 'HOIST_DEFERRED_EXTRA_CA_CERTS';

interface State {
  /** the file node did not load at start because bin/hoist deferred it */
  deferred: string | undefined;
  /** NODE_EXTRA_CA_CERTS as node loaded it at start (captured on first use: a start-up snapshot must not keep its builder's) */
  startup?: { file: string | undefined };
  /** node's roots plus the deferred file, once made */
  ca?: string[] | undefined;
}
const state: State = { deferred: undefined };

/** At start (cli/start.ts): takes a deferred NODE_EXTRA_CA_CERTS back into `env`. */
export function restoreDeferredExtraCa(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[DEFERRED_EXTRA_CA_ENV];
  if (file === undefined) return;
  delete env[DEFERRED_EXTRA_CA_ENV];
  // node had it unset at start (bin/hoist's doing), so node trusts nothing of it yet
  if (file === '' || env.NODE_EXTRA_CA_CERTS) return;
  env.NODE_EXTRA_CA_CERTS = file;
  state.deferred = file;
  delete state.ca;
}

/** The NODE_EXTRA_CA_CERTS file node itself added to its default roots at start, if any (none when bin/hoist deferred it). */
export function startupExtraCaFile(): string | undefined {
  if (state.deferred !== undefined) return undefined;
  return (state.startup ??= { file: process.env.NODE_EXTRA_CA_CERTS || undefined }).file;
}

/** The NODE_EXTRA_CA_CERTS file bin/hoist deferred (tlsCaDefaults() trusts it), if any. */
export function deferredExtraCaFile(): string | undefined {
  return state.deferred;
}

/**
 * The `ca` list a TLS context needs to trust what node's defaults would
 * have trusted had node loaded NODE_EXTRA_CA_CERTS at start: undefined when
 * node's defaults already do (nothing deferred). Node's bundled roots plus
 * the file; a file that cannot be read gets node's own warning and is left
 * out, as node does at start.
 */
export function tlsCaDefaults(): string[] | undefined {
  const file = state.deferred;
  if (file === undefined) return undefined;
  if ('ca' in state) return state.ca;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tls = require('node:tls') as typeof import('node:tls');
  let pem: string;
  try {
    pem = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.emitWarning(`Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}`);
    return (state.ca = undefined);
  }
  return (state.ca = [...tls.rootCertificates, pem]);
}

/** `{ ca }` for a TLS context's options when tlsCaDefaults() has a list, else nothing (node's defaults). */
export function tlsCaOption(): { ca?: string[] } {
  const ca = tlsCaDefaults();
  return ca !== undefined ? { ca } : {};
}
