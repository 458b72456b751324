import * as fs from 'node:fs';
import * as path from 'node:path';
import { runProcess } from '../../sys/run-process';
import { writePrivate } from '../compile-cache';
import { takeLock } from './schedule-build';
import { fileIdentity, HOIST_V8_FLAGS, readStamp, SNAPSHOT_KINDS, snapshotFiles, stampFor, writeStamp, type SnapshotFiles, type SnapshotKind } from './snapshot-files';

/**
 * Builds the start-up snapshot of the package at `root` for this node binary
 * (docs/run.md, "Start time"): records the modules of a start in a process of
 * its own (record-modules.ts), has `node --build-snapshot` load them into a
 * heap (snapshot-entry.ts) with the V8 flags hoist runs with, checks that the
 * blob starts (`hoist --version`), then puts blob and stamp in place. Throws
 * with what went wrong; the caller holds `files.lock`.
 */
export async function buildSnapshot(root: string, kind: SnapshotKind, files: SnapshotFiles, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  // the manifest and entry written there become code in the blob: not in a directory others may write
  const dir = fs.statSync(path.dirname(files.blob));
  if ((typeof process.getuid === 'function' && dir.uid !== process.getuid()) || (dir.mode & 0o022) !== 0) {
    throw new Error(`${path.dirname(files.blob)} is not a directory of this user alone (mode ${(dir.mode & 0o777).toString(8)})`);
  }
  const childEnv = { ...env, NODE_OPTIONS: '' };
  const run = async (args: string[], extra: NodeJS.ProcessEnv = {}): Promise<string> => {
    const r = await runProcess([process.execPath, ...args], { env: { ...childEnv, ...extra }, signal: AbortSignal.timeout(120_000) });
    if (r.code !== 0) throw new Error(`${path.basename(args.find((a) => a.endsWith('.js')) ?? 'node')} failed (${r.signal ?? `status ${r.code}`}): ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
    if (/not yet fully verified/.test(r.stderr)) throw new Error(`node warned: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const tmp = `${files.blob}.${process.pid}`;
  const manifest = `${tmp}.json`;
  const entry = `${tmp}.entry.js`;
  try {
    writePrivate(manifest, await run([path.join(__dirname, 'record-modules.js'), root, kind]));
    // node runs a snapshot entry with require, __filename and __dirname only; tsc's output assigns to exports
    writePrivate(entry, `var exports = {};\n${fs.readFileSync(path.join(__dirname, 'snapshot-entry.js'), 'utf8')}`);
    await run([...HOIST_V8_FLAGS, '--snapshot-blob', tmp, '--build-snapshot', entry], { HOIST_SNAPSHOT_MANIFEST: manifest });
    fs.chmodSync(tmp, 0o600);
    const version = await run([...HOIST_V8_FLAGS, '--snapshot-blob', tmp, '--', '--version']);
    if (!/^\d+\.\d+\.\d+/.test(version)) throw new Error(`the blob starts, but hoist --version printed ${JSON.stringify(version)}`);
    fs.renameSync(tmp, files.blob);
    const stamp = stampFor(root, files.blob);
    if (stamp === undefined) throw new Error(`cannot stat ${files.blob} or ${process.execPath}`);
    writeStamp(files.stamp, stamp);
    fs.rmSync(files.failed, { force: true });
  } finally {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(manifest, { force: true });
    fs.rmSync(entry, { force: true });
  }
}

/**
 * `node build-snapshot.js ROOT [--kind base|build|push|all] [--lock-held]`: from
 * `npm run build` (all), or detached after a start without a blob (which took
 * the lock). A failure leaves its message in `files.failed` (and no new
 * attempt for a while).
 */
async function cli(argv: string[]): Promise<void> {
  const root = fs.realpathSync(argv[0] ?? '.');
  const kind = argv.includes('--kind') ? argv[argv.indexOf('--kind') + 1] : 'all';
  if (kind !== 'all' && !SNAPSHOT_KINDS.includes(kind as SnapshotKind)) throw new Error(`--kind ${kind}: ${SNAPSHOT_KINDS.join(', ')} or all`);
  for (const k of SNAPSHOT_KINDS) if (kind === k || kind === 'all') await buildKind(root, k, argv.includes('--lock-held'));
}

async function buildKind(root: string, kind: SnapshotKind, lockHeld: boolean): Promise<void> {
  const files = snapshotFiles(root, kind);
  if (files === undefined) return;
  if (!lockHeld && !takeLock(files.lock)) {
    process.stderr.write(`hoist: a start-up snapshot is being built already (${files.lock})\n`);
    return;
  }
  try {
    await buildSnapshot(root, kind, files);
    removeDeadSnapshots(path.dirname(files.blob));
  } catch (err) {
    const message = `hoist: no start-up snapshot (commands start from disk): ${(err as Error).message}\n`;
    try {
      writePrivate(files.failed, message);
    } catch {
      /* nowhere to say it */
    }
    process.stderr.write(message);
  } finally {
    fs.rmSync(files.lock, { force: true });
  }
}

/**
 * Removes the blobs that no start can use any more (~6 MB each): of a package
 * root that is gone, or of a node binary that was replaced or removed.
 */
function removeDeadSnapshots(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!/^snapshot-.*\.stamp$/.test(name)) continue;
    const stamp = readStamp(path.join(dir, name));
    if (stamp !== undefined && fs.existsSync(stamp.script) && fileIdentity(stamp.node) === stamp.nodeIdentity) continue;
    const base = path.join(dir, name.slice(0, -'.stamp'.length));
    for (const ext of ['.blob', '.stamp', '.failed']) fs.rmSync(`${base}${ext}`, { force: true });
  }
}

if (require.main === module) void cli(process.argv.slice(2));
