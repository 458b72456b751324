/**
 * docker's `--env-file`: one `K=V` a line; blank lines and `#` comments
 * skipped; a bare `K` takes K from `env` (and is dropped when unset there).
 */
export function parseEnvFile(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  const out: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    if (line.includes('=')) out.push(line);
    else if (env[line.trimEnd()] !== undefined) out.push(`${line.trimEnd()}=${env[line.trimEnd()]}`);
  }
  return out;
}
