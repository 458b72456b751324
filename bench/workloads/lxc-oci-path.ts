// The lxc-oci template's path as one measured process: `skopeo copy docker-archive:… oci:…`
// then `umoci unpack`, run one after the other as argv children (no shell). Usage:
//   node lxc-oci-path.js '<json argv 1>' '<json argv 2>' ...
import { spawnSync } from 'node:child_process';

export function runSequence(argvs: string[][]): number {
  for (const argv of argvs) {
    const r = spawnSync(argv[0]!, argv.slice(1), { stdio: 'inherit' });
    if (r.status !== 0) return r.status ?? 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = runSequence(process.argv.slice(2).map((a) => JSON.parse(a) as string[]));
