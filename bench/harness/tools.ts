// The tools a case may name: hoist itself and the peers. A missing tool is reported as such
// (`not installed`, or `not built` for hoist); nothing is ever measured in its place.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCKER_CLIENT, DOCKERD, startDockerDaemon, type DockerDaemon } from './docker-daemon';
import { execCommandOutput } from './exec-command';
import { findExecutable } from './find-executable';

export interface ToolSpec {
  name: string;
  /** Absolute path, or a name looked up on PATH. */
  bin: string;
  /** Arguments that print the version (first non-empty line of stdout or stderr is kept). */
  versionArgs: string[];
}

/** The peers of the foundation issue. Later workloads add theirs here. */
export const PEER_TOOLS: readonly ToolSpec[] = [
  { name: 'docker', bin: DOCKER_CLIENT, versionArgs: ['--version'] },
  { name: 'buildah', bin: 'buildah', versionArgs: ['--version'] },
  { name: 'skopeo', bin: 'skopeo', versionArgs: ['--version'] },
  { name: 'umoci', bin: 'umoci', versionArgs: ['--version'] },
  { name: 'tar', bin: 'tar', versionArgs: ['--version'] },
  { name: 'pigz', bin: 'pigz', versionArgs: ['--version'] },
  { name: 'zstd', bin: 'zstd', versionArgs: ['--version'] },
  // the shell of a floor that every builder pays (build-edit's script alone); dash prints no version
  { name: 'sh', bin: '/bin/sh', versionArgs: ['-c', 'echo /bin/sh'] },
  // the floor of every hoist command: the node that runs the harness, doing nothing
  { name: 'node', bin: process.execPath, versionArgs: ['--version'] },
];

export interface ToolStatus {
  name: string;
  /** `ok`, `not installed`, `not built`, or `unavailable: <why>`. */
  status: string;
  /** The argv prefix to run it; empty when not available. */
  argv: string[];
  version?: string;
  /** Processes outside the measured child that do the tool's work (dockerd), for RSS sampling. */
  servicePids?: () => number[];
}

async function versionOf(argv: string[]): Promise<string | undefined> {
  try {
    const { stdout, stderr } = await execCommandOutput({ argv }, { timeoutMs: 15_000 });
    return `${stdout}\n${stderr}`.split('\n').map((l) => l.trim()).find((l) => l !== '');
  } catch {
    return undefined; // a tool that cannot say its version is still usable; the report says "?"
  }
}

/** Finds tools on demand and owns the daemons it starts for them. */
export class Toolbox {
  private readonly found = new Map<string, Promise<ToolStatus>>();
  private docker: DockerDaemon | undefined;

  constructor(
    private readonly opts: { repoRoot: string; workDir: string; log(m: string): void; specs?: readonly ToolSpec[] },
  ) {}

  /** The status of a tool, starting its daemon the first time when it needs one. */
  resolve(name: string): Promise<ToolStatus> {
    let status = this.found.get(name);
    if (!status) {
      status = this.detect(name);
      this.found.set(name, status);
    }
    return status;
  }

  /** One row per known tool for the report; tools no case used are probed without starting daemons. */
  async describe(): Promise<ToolStatus[]> {
    const names = ['hoist', ...this.specs().map((s) => s.name)];
    return Promise.all(names.map(async (name) => {
      const used = this.found.get(name);
      if (used) return used;
      if (name === 'hoist') return this.detectHoist();
      const spec = this.specs().find((s) => s.name === name)!;
      const bin = findExecutable(spec.bin);
      if (!bin) return { name, status: 'not installed', argv: [] };
      return { name, status: 'installed, not used', argv: [bin], version: await versionOf([bin, ...spec.versionArgs]) };
    }));
  }

  async stop(): Promise<void> {
    if (this.docker) {
      this.opts.log('docker: stopping dockerd');
      await this.docker.stop();
      this.docker = undefined;
    }
  }

  private specs(): readonly ToolSpec[] {
    return this.opts.specs ?? PEER_TOOLS;
  }

  private async detect(name: string): Promise<ToolStatus> {
    if (name === 'hoist') return this.detectHoist();
    const spec = this.specs().find((s) => s.name === name);
    if (!spec) throw new Error(`no tool named ${JSON.stringify(name)} in bench/harness/tools.ts`);
    const bin = findExecutable(spec.bin);
    if (!bin) return { name, status: 'not installed', argv: [] };
    const version = await versionOf([bin, ...spec.versionArgs]);
    if (name !== 'docker') return { name, status: 'ok', argv: [bin], version };
    if (!findExecutable(DOCKERD)) return { name, status: 'not installed', argv: [], version: `${version ?? '?'}, no dockerd` };
    try {
      this.docker = await startDockerDaemon(this.opts);
    } catch (err) {
      return { name, status: `unavailable: ${(err as Error).message.split('\n')[0]}`, argv: [], version };
    }
    const daemon = this.docker;
    return { name, status: 'ok', argv: daemon.clientArgv, version: `${version}; server ${daemon.serverVersion}`, servicePids: () => daemon.pids() };
  }

  private async detectHoist(): Promise<ToolStatus> {
    const { repoRoot } = this.opts;
    if (!existsSync(join(repoRoot, 'dist/src/cli/main.js'))) return { name: 'hoist', status: 'not built', argv: [] };
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
    const git = findExecutable('git');
    const commit = git ? await versionOf([git, '-C', repoRoot, 'rev-parse', '--short', 'HEAD']) : undefined;
    return {
      name: 'hoist',
      status: 'ok',
      // Run as a user runs it: through its shebang, which sets V8's
      // heap flags (node bin/hoist would measure a different process).
      argv: [join(repoRoot, 'bin/hoist')],
      version: `${pkg.version ?? '?'} (${commit ?? 'no git'}), node ${process.version}`,
    };
  }
}
