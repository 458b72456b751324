import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { takeLock } from './schedule-build';
import { HOIST_V8_FLAGS, snapshotFiles, stampFor, writePrivate, writeStamp, type SnapshotFiles } from './snapshot-files';

/**
 * Builds the start-up snapshot of the package at `root` for this node binary
 * (docs/run.md, "Start time"): records the modules of a start in a process of
 * its own (record-modules.ts), has `node --build-snapshot` load them into a
 * heap (snapshot-entry.ts) with the V8 flags hoist runs with, checks that the
 * blob starts (`hoist --version`), then puts blob and stamp in place. Throws
 * with what went wrong; the caller holds `files.lock`.
 */
export function buildSnapshot(root: string, files: SnapshotFiles, env: NodeJS.ProcessEnv = process.env): void {
  const childEnv = { ...env, NODE_OPTIONS: '' };
  const run = (args: string[], extra: NodeJS.ProcessEnv = {}): string => {
    const r = spawnSync(process.execPath, args, { env: { ...childEnv, ...extra }, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    if (r.status !== 0 || r.error) throw new Error(`${path.basename(args.find((a) => a.endsWith('.js')) ?? 'node')} failed (${r.error?.message ?? `status ${r.status}`}): ${r.stderr.trim().split('\n').slice(0, 6).join(' | ')}`);
    if (/not yet fully verified/.test(r.stderr)) throw new Error(`node warned: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const tmp = `${files.blob}.${process.pid}`;
  const manifest = `${tmp}.json`;
  const entry = `${tmp}.entry.js`;
  try {
    writePrivate(manifest, run([path.join(__dirname, 'record-modules.js'), root]));
    // node runs a snapshot entry with require, __filename and __dirname only; tsc's output assigns to exports
    writePrivate(entry, `var exports = {};\n${fs.readFileSync(path.join(__dirname, 'snapshot-entry.js'), 'utf8')}`);
    run([...HOIST_V8_FLAGS, '--snapshot-blob', tmp, '--build-snapshot', entry], { HOIST_SNAPSHOT_MANIFEST: manifest });
    fs.chmodSync(tmp, 0o600);
    const version = run([...HOIST_V8_FLAGS, '--snapshot-blob', tmp, '--', '--version']);
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
 * `node build-snapshot.js ROOT [--lock-held]`: from `npm run build`, or
 * detached after a start without a blob (which took the lock). A failure
 * leaves its message in `files.failed` (and no new attempt for a while).
 */
function cli(argv: string[]): number {
  const root = fs.realpathSync(argv[0] ?? '.');
  const files = snapshotFiles(root);
  if (files === undefined) return 0;
  if (!argv.includes('--lock-held') && !takeLock(files.lock)) {
    process.stderr.write(`hoist: a start-up snapshot is being built already (${files.lock})\n`);
    return 0;
  }
  try {
    buildSnapshot(root, files);
    return 0;
  } catch (err) {
    const message = `hoist: no start-up snapshot (commands start from disk): ${(err as Error).message}\n`;
    try {
      writePrivate(files.failed, message);
    } catch {
      /* nowhere to say it */
    }
    process.stderr.write(message);
    return 0;
  } finally {
    fs.rmSync(files.lock, { force: true });
  }
}

if (require.main === module) process.exitCode = cli(process.argv.slice(2));
