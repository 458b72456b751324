import { UsageError } from '../../errors';
import { readCapped } from '../../stream/read-capped';
import { lazy } from '../lazy';
import { action, collect, type CommandModule } from '../command';
import { clientOptionsOf } from './registry-options';

const PASSWORD_MAX_BYTES = 64 * 1024;

export const loginCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('login')
      .description('Log in to a registry (saved in ~/.docker/config.json, mode 0600, or its credential helper)')
      .argument('[server]', 'registry host[:port] (default: docker.io)')
      .option('-u, --username <username>', 'username')
      .option('-p, --password <password>', 'password (insecure: prefer --password-stdin)')
      .option('--password-stdin', 'take the password from stdin')
      .option('--insecure-registry <host>', 'use plain HTTP or unverified TLS for this registry (repeatable)', collect, [])
      .action(
        action(setExit, async (server: string | undefined, opts: { username?: string; password?: string; passwordStdin?: boolean; insecureRegistry?: string[] }) => {
          const { login } = lazy.registry();
          if (opts.password !== undefined && opts.passwordStdin) throw new UsageError('USAGE', '--password and --password-stdin are mutually exclusive');
          if (opts.passwordStdin && opts.username === undefined) throw new UsageError('USAGE', 'must provide --username with --password-stdin');
          if (opts.username === undefined) throw new UsageError('USAGE', 'hoist login needs --username (interactive prompts are not supported)');
          let password = opts.password;
          if (password !== undefined) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
          if (opts.passwordStdin) password = (await readCapped(ctx.stdin, PASSWORD_MAX_BYTES, 'password on stdin')).toString('utf8').replace(/\r?\n$/, '');
          if (password === undefined || password === '') throw new UsageError('USAGE', 'no password given: use --password-stdin');
          const res = await login(server ?? 'docker.io', { username: opts.username, password }, {
            env: ctx.env,
            clientOptions: clientOptionsOf(ctx, opts),
            signal: ctx.signal,
          });
          ctx.stdout.write(`Login Succeeded (credentials saved in ${res.store})\n`);
        }),
      );
  },
};
