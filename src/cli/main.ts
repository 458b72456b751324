import { Command, CommanderError } from 'commander';
import { commandsFor } from './commands';
import { createContext, type CliContext } from './context';
import { exitCodeFor, formatError } from './error-message';

const VERSION = '0.1.0';

function buildProgram(argv: readonly string[], ctx: CliContext, setExit: (code: number) => void): Command {
  const program = new Command('hoist')
    .description('Daemonless, Docker-compatible image builder and layer store')
    .version(VERSION, '-v, --version')
    .option('--debug', 'print error details and retries')
    .option('--root <dir>', 'store root (default: $HOIST_ROOT, /var/lib/hoist for root, else $XDG_DATA_HOME/hoist)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .hook('preAction', (_this, actionCommand) => {
      const globals = actionCommand.optsWithGlobals<{ debug?: boolean; root?: string }>();
      ctx.debug = globals.debug === true;
      if (globals.root !== undefined) ctx.root = globals.root;
    });
  // options after a subcommand's operands belong to it (docker's parsing; `hoist run IMAGE sh -c X`)
  program.enablePositionalOptions();
  for (const c of commandsFor(argv)) c.register(program, ctx, setExit);
  for (const sub of program.commands) sub.exitOverride();
  return program;
}

/** Run `hoist ARGV...`; resolves to the exit status. Never throws. */
export async function main(argv: string[], partial: Partial<CliContext> = {}): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    controller.abort(new Error(`interrupted by ${sig}`));
    if (interrupts > 1) process.exit(130);
  };
  const installSignals = partial.signal === undefined;
  if (installSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const ctx = createContext({ signal: controller.signal, ...partial });
  let exit = 0;
  const program = buildProgram(argv, ctx, (code) => {
    exit = code;
  });
  try {
    if (argv.length === 0) {
      ctx.stdout.write(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exit;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2;
    }
    ctx.stderr.write(formatError(err, ctx.debug || argv.includes('--debug')));
    return exitCodeFor(err);
  } finally {
    if (installSignals) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
