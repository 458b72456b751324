/** The files a system container needs that an image does not carry (pure text). */
export interface SystemFiles {
  '/etc/hostname': string;
  '/etc/hosts': string;
  '/etc/resolv.conf': string;
}

/**
 * /etc/hostname and /etc/hosts name the container; /etc/resolv.conf is the
 * host's, without loopback nameservers (the container has its own network
 * namespace, where the host's 127.0.0.53 is not listening). With no network
 * (the default) it holds a comment only.
 */
export function systemFiles(name: string, hostResolvConf: string | undefined, withNetwork: boolean): SystemFiles {
  const hosts = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${name}\n`;
  let resolv = '# written by hoist lxc: the container has no network (--network veth,link=BRIDGE adds one)\n';
  if (withNetwork) {
    resolv = '# written by hoist lxc from the host\'s /etc/resolv.conf\n';
    for (const line of (hostResolvConf ?? '').split('\n')) {
      const m = /^\s*nameserver\s+(\S+)/.exec(line);
      if (m && (m[1]!.startsWith('127.') || m[1] === '::1')) continue;
      if (/^\s*(nameserver|search|domain|options)\s/.test(line)) resolv += `${line.trim()}\n`;
    }
  }
  return { '/etc/hostname': `${name}\n`, '/etc/hosts': hosts, '/etc/resolv.conf': resolv };
}

/** A volume's directory name beside the container: its path with `/` as `_` and `_`, `%` escaped (one to one). */
export function volumeDirName(target: string): string {
  const clean = target.split('/').filter((c) => c !== '' && c !== '.').join('/');
  return clean.replace(/[%_]/g, (c) => `%${c.charCodeAt(0).toString(16)}`).replace(/\//g, '_') || '_';
}
