import { BlockList, isIP } from 'node:net';
import { isLoopbackHost } from './endpoint';

/** Proxy settings read from an environment (the CLI's, not necessarily process.env). */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy: string;
}

/** The proxy variables of an environment, lower-case names first (as curl and Go read them). */
export function proxySettingsOf(env: NodeJS.ProcessEnv): ProxySettings | undefined {
  const pick = (name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { ...(httpProxy !== undefined ? { httpProxy } : {}), ...(httpsProxy !== undefined ? { httpsProxy } : {}), noProxy: pick('no_proxy') ?? '' };
}

const DEFAULT_PORT: Record<string, string> = { 'http:': '80', 'https:': '443' };

function splitHostPort(entry: string): { host: string; port: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (v6) return { host: v6[1]!, port: v6[2] ?? '' };
  const hp = /^([^:]+):(\d+)$/.exec(entry);
  return hp ? { host: hp[1]!, port: hp[2]! } : { host: entry, port: '' };
}

/** Does one NO_PROXY entry exclude host:port? Go's rules (golang.org/x/net/http/httpproxy). */
function excludes(entry: string, host: string, port: string): boolean {
  if (entry.includes('/')) {
    // a CIDR block matches IP addresses only
    const [net, bits] = entry.split('/');
    const family = isIP(net ?? '');
    if (family === 0 || isIP(host) !== family) return false;
    const list = new BlockList();
    try {
      list.addSubnet(net!, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    } catch {
      return false;
    }
    return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
  const e = splitHostPort(entry);
  if (e.port !== '' && e.port !== port) return false;
  if (isIP(e.host) !== 0) return e.host === host;
  // "example.com" matches it and its subdomains; ".example.com" and "*.example.com" only subdomains
  let suffix = e.host.startsWith('*.') ? e.host.slice(1) : e.host;
  const matchesSelf = !suffix.startsWith('.');
  if (matchesSelf) suffix = `.${suffix}`;
  return host.endsWith(suffix) || (matchesSelf && host === suffix.slice(1));
}

/**
 * The proxy a request to `url` goes through, or undefined for a direct
 * connection. As docker and skopeo decide it (Go's httpproxy): https uses
 * HTTPS_PROXY and http HTTP_PROXY (no fallback between them); loopback is
 * never proxied; NO_PROXY is `*`, or entries (comma or space separated) of
 * host names (with their subdomains), `.domain` (subdomains only), IP
 * addresses, CIDR blocks, each optionally with `:port`.
 */
export function proxyFor(settings: ProxySettings, url: URL): string | undefined {
  const proxy = url.protocol === 'https:' ? settings.httpsProxy : settings.httpProxy;
  if (proxy === undefined || proxy === '' || isLoopbackHost(url.host)) return undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = url.port || DEFAULT_PORT[url.protocol] || '';
  for (const entry of settings.noProxy.toLowerCase().split(/[,\s]+/)) {
    if (entry === '') continue;
    if (entry === '*' || excludes(entry, host, port)) return undefined;
  }
  return proxy;
}
