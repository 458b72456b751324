import type { NetworkMode } from './spec-opts-linux';

const LOCALHOST = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/**
 * The contents of a container's /etc/hosts, /etc/resolv.conf and
 * /etc/hostname, as docker writes them: with the host's network, the host's
 * own hosts and resolv.conf; with none, localhost entries (plus the hostname
 * on 127.0.1.1 so it resolves) and the host's resolv.conf (docker keeps it
 * even without a network). Pure: the host files are passed in.
 */
export function renderEtcFiles(options: { hostname: string; network: NetworkMode; hostHosts?: string; hostResolvConf?: string }): {
  hosts: string;
  resolvConf: string;
  hostname: string;
} {
  const hosts =
    options.network === 'host' && options.hostHosts !== undefined ? options.hostHosts : `${[...LOCALHOST, `127.0.1.1\t${options.hostname}`].join('\n')}\n`;
  return { hosts, resolvConf: options.hostResolvConf ?? '', hostname: `${options.hostname}\n` };
}
