import { redactHeaders, redactUrl } from './redact';
import type { RegistryRequest, SendWrapper } from './types';

export type DebugLogger = (line: string) => void;

/** Logs each exchange (redacted) for --debug: method, URL, status, time. */
export function withLogging(log: DebugLogger | undefined, verboseHeaders = false): SendWrapper {
  return (next) => async (req: RegistryRequest) => {
    if (log === undefined) return next(req);
    const t0 = process.hrtime.bigint();
    const what = `${req.method} ${redactUrl(req.url)}`;
    if (verboseHeaders && req.headers) log(`> ${what} ${JSON.stringify(redactHeaders(req.headers))}`);
    try {
      const res = await next(req);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      log(`< ${what} -> ${res.status} (${ms.toFixed(0)} ms)`);
      return res;
    } catch (err) {
      log(`< ${what} -> error ${(err as { code?: string }).code ?? ''} ${(err as Error).message}`);
      throw err;
    }
  };
}
