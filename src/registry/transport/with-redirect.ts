import { RegistryError } from '../../errors';
import { discard, header, type RegistryRequest, type SendWrapper } from './types';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Follows redirects (blob GETs go to storage backends). Authorization is
 * never forwarded to another origin: the auth wrapper sits below this one and
 * only authorises its registry's origin, and caller-set credentials headers
 * are dropped when the origin changes.
 */
export function withRedirect(maxRedirects = 5): SendWrapper {
  return (next) => async (first: RegistryRequest) => {
    let req = first;
    for (let hop = 0; ; hop++) {
      const res = await next(req);
      if (!REDIRECTS.has(res.status)) return res;
      const location = header(res, 'location');
      if (location === undefined) return res;
      discard(res);
      if (hop >= maxRedirects) {
        throw new RegistryError('REGISTRY_TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects for ${first.method} ${first.url.pathname}`, {
          path: first.url.pathname,
        });
      }
      const url = new URL(location, req.url);
      const headers = { ...(req.headers ?? {}) };
      if (url.origin !== req.url.origin) {
        for (const k of Object.keys(headers)) if (/^(authorization|cookie|proxy-authorization)$/i.test(k)) delete headers[k];
      }
      const method = res.status === 303 && req.method !== 'HEAD' ? 'GET' : req.method;
      req = { ...req, method, url, headers, ...(method === 'GET' && req.method !== 'GET' ? { body: undefined } : {}) };
    }
  };
}
