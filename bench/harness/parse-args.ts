// `npm run bench [-- NAME...] [--runs N] [--warmup N] [--quick] [--out FILE] [--list]`

export interface BenchArgs {
  /** Workload names to run; empty means all. */
  names: string[];
  runs: number;
  warmup: number;
  quick: boolean;
  /** Where the markdown report goes; default `bench/results.md` in the repository. */
  out?: string;
  /** Print the workloads and exit. */
  list: boolean;
}

export const USAGE = `usage: npm run bench -- [NAME...] [--runs N] [--warmup N] [--quick] [--out FILE] [--list]
  NAME       workloads to run (default: all; see --list)
  --runs N   measured runs per case (default 5)
  --warmup N warm-up runs per case, not reported (default 1)
  --quick    small fixtures (~20 MiB) for a smoke test
  --out FILE markdown report (default bench/results.md)
  --list     list the workloads and exit
environment: HOIST_BENCH_DIR (fixtures and scratch, default /var/tmp/hoist-bench)`;

function count(flag: string, raw: string | undefined, min: number): number {
  if (raw === undefined || !/^\d+$/.test(raw)) throw new Error(`${flag} needs a whole number`);
  const n = Number(raw);
  if (n < min) throw new Error(`${flag} must be at least ${min}`);
  return n;
}

/** Parses the harness's own arguments (after `--`). Throws an Error with a readable message. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const args: BenchArgs = { names: [], runs: 5, warmup: 1, quick: false, list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--runs': args.runs = count(flag, value(), 1); break;
      case '--warmup': args.warmup = count(flag, value(), 0); break;
      case '--quick': args.quick = true; break;
      case '--list': args.list = true; break;
      case '--out': {
        const v = value();
        if (!v) throw new Error('--out needs a file name');
        args.out = v;
        break;
      }
      default:
        if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
        args.names.push(a);
    }
  }
  return args;
}
