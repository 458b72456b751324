/**
 * A terminal screen of a given size that interprets what a live renderer
 * writes: printable text, `\n`, `\r`, cursor up (`ESC[nA`), erase line
 * (`ESC[2K`) and erase below (`ESC[J`). A line longer than the width wraps,
 * as a terminal wraps it, and is counted, so a test can see a view that
 * would break its own cursor arithmetic.
 */
export class FakeScreen {
  readonly isTTY = true;
  lines: string[] = [''];
  row = 0;
  col = 0;
  wrapped = 0;
  raw = '';

  constructor(
    readonly columns: number,
    readonly rows?: number,
  ) {}

  write(s: string): boolean {
    this.raw += s;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (c === '\x1b') {
        const m = /^\x1b\[(\d*)([A-Za-z])/.exec(s.slice(i));
        if (m === null) throw new Error(`unknown escape at ${JSON.stringify(s.slice(i, i + 8))}`);
        this.escape(m[2]!, m[1] === '' ? undefined : Number(m[1]));
        i += m[0].length - 1;
      } else if (c === '\n') {
        this.row++;
        this.col = 0;
        if (this.lines.length <= this.row) this.lines.push('');
      } else if (c === '\r') {
        this.col = 0;
      } else {
        if (this.col >= this.columns) {
          this.wrapped++;
          this.row++;
          this.col = 0;
          if (this.lines.length <= this.row) this.lines.push('');
        }
        const line = this.lines[this.row]!.padEnd(this.col);
        this.lines[this.row] = line.slice(0, this.col) + c + line.slice(this.col + 1);
        this.col++;
      }
    }
    return true;
  }

  /** What the screen shows, trailing blank lines dropped. */
  text(): string {
    const lines = this.lines.map((l) => l.trimEnd());
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  private escape(cmd: string, n: number | undefined): void {
    if (cmd === 'A') this.row = Math.max(0, this.row - (n ?? 1));
    else if (cmd === 'K') this.lines[this.row] = n === 2 ? '' : this.lines[this.row]!.slice(0, this.col);
    else if (cmd === 'J') this.lines = [...this.lines.slice(0, this.row), this.lines[this.row]!.slice(0, this.col)];
    else throw new Error(`unhandled escape ${cmd}`);
  }
}
