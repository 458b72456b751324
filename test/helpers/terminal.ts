import { spawn, spawnSync } from 'node:child_process';

/** Is util-linux `script` here (it gives a child a pseudo-terminal)? */
export function hasScript(): boolean {
  return spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface TerminalSession {
  /** resolves once the terminal has shown `text` (everything shown so far, echoes included) */
  waitFor(text: string, timeoutMs?: number): Promise<string>;
  type(keys: string): void;
  /** resolves to the exit status and all the terminal showed */
  exit(): Promise<{ code: number | null; screen: string }>;
}

const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * Runs argv on a real pseudo-terminal (`script -qefc`), as a person at a
 * terminal would: what the test types goes through the terminal's line
 * discipline (echo, or none when the program turns it off).
 */
export function onTerminal(argv: string[], env: NodeJS.ProcessEnv): TerminalSession {
  const child = spawn('script', ['-qefc', argv.map(quote).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const waiters: (() => void)[] = [];
  const onOutput = (d: Buffer): void => {
    screen += d.toString();
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    waitFor: (text, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the terminal never showed ${JSON.stringify(text)}; it showed ${JSON.stringify(screen)}`)), timeoutMs);
        const check = (): void => {
          if (screen.includes(text)) {
            clearTimeout(timer);
            resolve(screen);
          } else waiters.push(check);
        };
        check();
      }),
    type: (keys) => void child.stdin.write(keys),
    exit: async () => {
      const code = await exited;
      child.stdin.end();
      return { code, screen };
    },
  };
}
