import { UsageError } from '../../errors';
import { readCapped } from '../../stream/read-capped';
import { lazy } from '../lazy';
import { isPromptable, promptLine } from '../prompt';
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
          let password = opts.password;
          if (password !== undefined) ctx.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
          if (opts.passwordStdin) password = (await readCapped(ctx.stdin, PASSWORD_MAX_BYTES, 'password on stdin')).toString('utf8').replace(/\r?\n$/, '');
          let username = opts.username;
          // docker's interactive login: prompts on a terminal, refused anywhere else
          if (username === undefined || password === undefined) {
            if (!isPromptable(ctx.stdin)) {
              throw new UsageError('USAGE', 'cannot perform an interactive login from a non TTY device: give --username and --password-stdin');
            }
            if (username === undefined) username = (await promptLine(ctx.stdin, ctx.stdout, 'Username: ', { signal: ctx.signal })).trim();
            if (username === '') throw new UsageError('USAGE', 'username is required');
            if (password === undefined) password = await promptLine(ctx.stdin, ctx.stdout, 'Password: ', { hidden: true, signal: ctx.signal });
          }
          if (password === '') throw new UsageError('USAGE', 'password is required');
          const res = await login(server ?? 'docker.io', { username, password }, {
            env: ctx.env,
            clientOptions: clientOptionsOf(ctx, opts),
            signal: ctx.signal,
          });
          ctx.stdout.write(`Login Succeeded (credentials saved in ${res.store})\n`);
        }),
      );
  },
};
