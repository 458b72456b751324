import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { LayerError } from '../../errors';
import type { MknodItem, NativeOps, XattrItem } from './native-ops';

// One request per line in, one reply per line out; values travel as base64.
const SCRIPT = `
import sys, os, json, base64, stat, errno
def err(e): return errno.errorcode.get(e.errno, str(e.errno))
def listx(req):
    out = []
    pre = tuple(req['prefixes'])
    for p in req['paths']:
        try:
            names = [n for n in os.listxattr(p, follow_symlinks=False) if n.startswith(pre)]
            d = {}
            for n in names:
                try: d[n] = base64.b64encode(os.getxattr(p, n, follow_symlinks=False)).decode()
                except OSError: pass
            out.append(d or None)
        except OSError: out.append(None)
    return out
def setx(req):
    out = []
    for it in req['items']:
        try:
            os.setxattr(it['path'], it['name'], base64.b64decode(it['value']), follow_symlinks=False); out.append(None)
        except OSError as e: out.append(err(e))
    return out
def mknod(req):
    out = []
    kinds = {'char': stat.S_IFCHR, 'block': stat.S_IFBLK, 'fifo': stat.S_IFIFO}
    for it in req['items']:
        try:
            os.mknod(it['path'], kinds[it['type']] | it['mode'], os.makedev(it['major'], it['minor'])); out.append(None)
        except OSError as e: out.append(err(e))
    return out
ops = {'list': listx, 'set': setx, 'mknod': mknod}
for line in sys.stdin:
    req = json.loads(line)
    try: res = {'id': req['id'], 'result': ops[req['op']](req)}
    except Exception as e: res = {'id': req['id'], 'error': str(e)}
    sys.stdout.write(json.dumps(res) + '\\n'); sys.stdout.flush()
`;

function findPython(): string | undefined {
  for (const p of ['/usr/bin/python3', '/usr/local/bin/python3']) if (existsSync(p)) return p;
  return process.env.PATH?.split(':')
    .map((d) => `${d}/python3`)
    .find((p) => existsSync(p));
}

/**
 * NativeOps through one long-lived python3 co-process (os.listxattr,
 * os.setxattr, os.mknod), started on first use. python3 is already a build
 * requirement of zstd-napi, so this adds no package.
 */
export class PythonNativeOps implements NativeOps {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private buffered = '';
  private readonly python = findPython();

  async available(): Promise<boolean> {
    return this.python !== undefined;
  }

  async listXattrs(paths: readonly string[], prefixes: readonly string[]): Promise<Array<Map<string, Buffer> | undefined>> {
    if (paths.length === 0) return [];
    const res = (await this.call({ op: 'list', paths, prefixes })) as Array<Record<string, string> | null>;
    return res.map((d) => (d === null ? undefined : new Map(Object.entries(d).map(([k, v]) => [k, Buffer.from(v, 'base64')]))));
  }

  async setXattrs(items: readonly XattrItem[]): Promise<Array<string | undefined>> {
    if (items.length === 0) return [];
    const wire = items.map((it) => ({ path: it.path, name: it.name, value: it.value.toString('base64') }));
    return ((await this.call({ op: 'set', items: wire })) as Array<string | null>).map((e) => e ?? undefined);
  }

  async mknod(items: readonly MknodItem[]): Promise<Array<string | undefined>> {
    if (items.length === 0) return [];
    return ((await this.call({ op: 'mknod', items })) as Array<string | null>).map((e) => e ?? undefined);
  }

  async close(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin.end();
    });
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.python === undefined) throw new LayerError('LAYER_NATIVE_UNAVAILABLE', 'python3 is needed for xattrs and device nodes', {});
    const child = spawn(this.python, ['-u', '-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => this.onData(text));
    child.stderr.resume();
    child.on('exit', (code) => {
      if (this.child === child) this.child = undefined;
      for (const w of this.waiting.values()) w.reject(new LayerError('LAYER_NATIVE_FAILED', `python3 helper exited with ${code}`, { code }));
      this.waiting.clear();
    });
    child.on('error', () => undefined);
    this.child = child;
    this.setRef(false);
    return child;
  }

  private setRef(ref: boolean): void {
    const c = this.child;
    if (c === undefined) return;
    const method = ref ? 'ref' : 'unref';
    c[method]();
    for (const s of [c.stdin, c.stdout, c.stderr] as unknown as Array<{ ref?: () => void; unref?: () => void }>) s[method]?.();
  }

  private call(request: Record<string, unknown>): Promise<unknown> {
    const child = this.child ?? this.start();
    const id = this.nextId++;
    const done = new Promise<unknown>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) this.setRef(true);
    child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
    return done;
  }

  private onData(text: string): void {
    this.buffered += text;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const reply = JSON.parse(this.buffered.slice(0, nl)) as { id: number; result?: unknown; error?: string };
      this.buffered = this.buffered.slice(nl + 1);
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.setRef(false);
      if (reply.error !== undefined) w?.reject(new LayerError('LAYER_NATIVE_FAILED', `native helper: ${reply.error}`, {}));
      else w?.resolve(reply.result);
    }
  }
}

let shared: PythonNativeOps | undefined;

/** The process-wide NativeOps. */
export function defaultNativeOps(): NativeOps {
  shared ??= new PythonNativeOps();
  return shared;
}
