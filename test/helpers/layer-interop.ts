import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MediaType, type Descriptor, type ImageManifest } from '../../src/oci';
import type { Store } from '../../src/store';

/** Runs a command (argv, no shell); throws with its stderr when it fails. */
export function run(cmd: string, args: string[], options: { cwd?: string; input?: Buffer } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error !== undefined || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr ?? r.error}`);
  return r.stdout;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd]).status === 0;
}

/** A minimal OCI image layout holding one image from the store, tagged `ref`, for umoci and skopeo. */
export function writeOciLayout(dir: string, store: Store, manifest: Descriptor, ref: string): void {
  const parsed = JSON.parse(fs.readFileSync(store.paths.blob(manifest.digest), 'utf8')) as ImageManifest;
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const d of [manifest, parsed.config, ...parsed.layers]) {
    fs.copyFileSync(store.paths.blob(d.digest), path.join(dir, 'blobs', 'sha256', d.digest.slice(7)));
  }
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': ref } }] };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
}

/** Reads the manifest an OCI layout tags `ref`. */
export function readLayoutManifest(dir: string, ref: string): { manifest: ImageManifest; blob: (d: Descriptor) => string } {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const desc = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref) ?? index.manifests[0];
  const blob = (d: Descriptor): string => path.join(dir, 'blobs', 'sha256', d.digest.slice(7));
  return { manifest: JSON.parse(fs.readFileSync(blob(desc as Descriptor), 'utf8')) as ImageManifest, blob };
}

/** A busybox root filesystem made by code: /bin/busybox and a symlink per applet. */
export function makeBusyboxRootfs(root: string): void {
  for (const d of ['bin', 'etc', 'tmp', 'root']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.chmodSync(path.join(root, 'tmp'), 0o1777);
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const applet of run('/bin/busybox', ['--list']).split('\n').filter((a) => a !== '' && a !== 'busybox')) {
    fs.symlinkSync('busybox', path.join(root, 'bin', applet));
  }
  fs.writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\n');
}
