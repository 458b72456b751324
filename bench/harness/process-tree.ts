// Linux /proc readers: a process's descendants and its memory counters. Used to sample the RSS
// of a daemon (dockerd does the work of `docker load`, not the client) and as the fallback
// when /usr/bin/time is missing.
import { readdirSync, readFileSync } from 'node:fs';

function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES';
}

/** pid -> parent pid for every process now alive. */
export function readParentTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch (err) {
      if (isGone(err)) continue;
      throw err;
    }
    // the command name (field 2) is in parentheses and may hold spaces: parse after the last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.set(Number(entry), Number(rest[1]));
  }
  return table;
}

/** The roots and all their descendants that are alive now. */
export function processTree(roots: readonly number[], table = readParentTable()): number[] {
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of table) {
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const seen = new Set<number>();
  const queue = roots.filter((pid) => table.has(pid));
  while (queue.length > 0) {
    const pid = queue.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return [...seen];
}

/** A `/proc/<pid>/status` counter in KiB (`VmRSS`, `VmHWM`); undefined when the process is gone. */
export function readStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch (err) {
    if (isGone(err)) return undefined;
    throw err;
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

export interface RssPeaks {
  /** Largest sum of VmRSS over the tree seen in one sample (what a daemon adds during a run). */
  treeRssKiB: number;
  /** Largest VmHWM of any single process in the tree (what `/usr/bin/time -f %M` reports). */
  processHwmKiB: number;
}

/** Polls the trees under `roots()` every `intervalMs` until `stop()` is called. */
export function sampleRss(roots: () => number[], intervalMs = 50): { stop(): RssPeaks } {
  const peaks: RssPeaks = { treeRssKiB: 0, processHwmKiB: 0 };
  const sample = (): void => {
    let sum = 0;
    for (const pid of processTree(roots())) {
      sum += readStatusKiB(pid, 'VmRSS') ?? 0;
      peaks.processHwmKiB = Math.max(peaks.processHwmKiB, readStatusKiB(pid, 'VmHWM') ?? 0);
    }
    peaks.treeRssKiB = Math.max(peaks.treeRssKiB, sum);
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop(): RssPeaks {
      clearInterval(timer);
      return { ...peaks };
    },
  };
}
