import { lazy } from '../lazy';
import { action, type CommandModule } from '../command';

export const logoutCommand: CommandModule = {
  register(program, ctx, setExit) {
    program
      .command('logout')
      .description('Log out from a registry (remove its saved credentials)')
      .argument('[server]', 'registry host[:port] (default: docker.io)')
      .action(
        action(setExit, async (server: string | undefined) => {
          const { logout } = lazy.registry();
          const res = await logout(server ?? 'docker.io', { env: ctx.env });
          ctx.stdout.write(res.removed ? `Removing login credentials for ${res.host}\n` : `Not logged in to ${res.host}\n`);
        }),
      );
  },
};
