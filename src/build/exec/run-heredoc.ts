import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunInstruction } from '../../dockerfile/instructions/instruction';
import { chompHeredocContent, parseHeredoc } from '../../dockerfile/syntax/heredoc';
import type { SpecMount } from '../../convert/runtime-spec/types';

/** Where BuildKit mounts a `#!` heredoc script (read-only, the file 0755 root:root). */
export const HEREDOC_SCRIPT_DIR = '/dev/pipes';

export interface RunCommand {
  /** the command line before SHELL wraps it */
  cmdLine: string[];
  /** a `#!` heredoc: the file the command line names, executed by its interpreter */
  script?: { name: string; data: string };
}

/**
 * RUN's heredocs as BuildKit's dispatchRun folds them: when the whole command
 * is one heredoc (`RUN <<EOF`, `<<-EOF`, a quoted delimiter) its body (tabs
 * stripped for `<<-`) is the command, or, when that body starts with `#!`, a
 * file at /dev/pipes/<NAME> that the shell runs, so the kernel starts the
 * interpreter line; otherwise the command and every body, each followed by
 * its delimiter line, become one script for the shell (which reads the
 * heredocs itself). The expand option never applies to RUN bodies here.
 */
export function runCommandOf(ins: RunInstruction): RunCommand {
  const args = [...ins.cmdLine];
  if (ins.files.length === 0) return { cmdLine: args };
  const first = ins.files[0]!;
  if (args.length === 1 && parseHeredoc(args[0]!) !== undefined) {
    const data = first.chomp ? chompHeredocContent(first.data) : first.data;
    if (data.startsWith('#!')) return { cmdLine: [path.posix.join(HEREDOC_SCRIPT_DIR, first.name)], script: { name: first.name, data } };
    return { cmdLine: [data] };
  }
  return { cmdLine: [[args[0], ...ins.files.map((f) => `${f.data}${f.name}`)].join('\n')] };
}

/**
 * Run `fn` with the script's mount (a private temp dir holding the file, bound
 * read-only at /dev/pipes, which lives in the container's /dev tmpfs and so
 * never reaches the layer); the dir is removed after.
 */
export async function withScriptMount<T>(script: RunCommand['script'], fn: (mounts: SpecMount[]) => Promise<T>): Promise<T> {
  if (script === undefined) return fn([]);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hoist-heredoc-'));
  try {
    await fs.chmod(dir, 0o755); // a non-root USER must reach the script
    const file = path.join(dir, path.posix.basename(script.name));
    await fs.writeFile(file, script.data, { mode: 0o755, flag: 'wx' });
    await fs.chmod(file, 0o755);
    return await fn([{ destination: HEREDOC_SCRIPT_DIR, type: 'bind', source: dir, options: ['rbind', 'ro'] }]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
