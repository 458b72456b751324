/** bufio.MaxScanTokenSize: BuildKit refuses a line (with its newline) longer than this. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Split text into lines that keep their `\n` (and `\r`), as BuildKit's scanner
 * does. `tooLong` is the index of the first line over the 64 KiB limit.
 */
export function splitLines(input: string | Uint8Array): { lines: string[]; tooLong?: number } {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  const lines: string[] = [];
  let tooLong: number | undefined;
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    const line = text.slice(start, end);
    if (tooLong === undefined && line.length * 3 >= MAX_LINE_BYTES - 1) {
      const bytes = Buffer.byteLength(line, 'utf8');
      if (nl < 0 ? bytes >= MAX_LINE_BYTES : bytes > MAX_LINE_BYTES) tooLong = lines.length;
    }
    lines.push(line);
    start = end;
  }
  return tooLong === undefined ? { lines } : { lines, tooLong };
}

/** bytes.TrimRight(line, "\r\n") */
export function trimNewline(line: string): string {
  let j = line.length;
  while (j > 0) {
    const c = line.charCodeAt(j - 1);
    if (c !== 10 && c !== 13) break;
    j--;
  }
  return line.slice(0, j);
}
