/**
 * Redaction: credentials never appear in logs, errors or details. URLs lose
 * their userinfo and any query parameter that may carry a secret; header
 * maps lose Authorization and cookies.
 */
const SECRET_QUERY = /^(?:.*token.*|.*secret.*|.*password.*|.*signature.*|x-amz-credential|x-amz-security-token|sig|code)$/i;
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-registry-auth']);

export function redactUrl(input: URL | string): string {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    return '<invalid url>';
  }
  if (url.username !== '' || url.password !== '') {
    url.username = 'REDACTED';
    url.password = '';
  }
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_QUERY.test(key)) url.searchParams.set(key, 'REDACTED');
  }
  return url.toString();
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (SECRET_HEADERS.has(k.toLowerCase())) {
      const s = Array.isArray(v) ? v.join(', ') : v;
      out[k] = `${s.split(' ')[0] ?? ''} REDACTED`.trim();
    } else {
      out[k] = Array.isArray(v) ? v.join(', ') : v;
    }
  }
  return out;
}

/** Remove every occurrence of known secrets from a free text (error bodies, messages). */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('REDACTED');
  }
  return out;
}
