/** One parsed WWW-Authenticate challenge (RFC 7235). */
export interface Challenge {
  /** lower-case: "bearer", "basic" */
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parse a WWW-Authenticate header value, which may hold several challenges:
 * `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`.
 */
export function parseChallenges(value: string | string[] | undefined): Challenge[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(', ') : value;
  const out: Challenge[] = [];
  const re = /[\s,]*([A-Za-z][A-Za-z0-9._~+/-]*)(?:\s*=\s*("(?:[^"\\]|\\.)*"|[^\s,]*))?/y;
  let current: Challenge | undefined;
  for (let m = re.exec(text); m !== null && m[0] !== ''; m = re.exec(text)) {
    const token = m[1]!;
    if (m[2] === undefined) {
      current = { scheme: token.toLowerCase(), params: {} };
      out.push(current);
      continue;
    }
    let v = m[2];
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (current !== undefined) current.params[token.toLowerCase()] = v;
  }
  return out;
}

/** Split a `scope` parameter (space separated) into scopes. */
export function splitScopes(scope: string | undefined): string[] {
  return (scope ?? '').split(' ').filter((s) => s !== '');
}

/** `repository:<name>:<actions>` */
export function repositoryScope(repository: string, actions: Array<'pull' | 'push' | 'delete'>): string {
  return `repository:${repository}:${actions.join(',')}`;
}

/**
 * Merge scopes naming the same resource (pull + push -> pull,push), keep the
 * others, sort for a stable cache key.
 */
export function mergeScopes(scopes: readonly string[]): string[] {
  const byResource = new Map<string, Set<string>>();
  for (const s of scopes) {
    const i = s.lastIndexOf(':');
    if (i <= 0) continue;
    const resource = s.slice(0, i);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of s.slice(i + 1).split(',')) if (a !== '') set.add(a);
    byResource.set(resource, set);
  }
  return [...byResource.entries()].map(([r, a]) => `${r}:${[...a].sort().join(',')}`).sort();
}
