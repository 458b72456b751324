import type { Descriptor } from '../../oci/descriptor';
import { parseReference, type Reference } from '../../oci/reference';
import type { RegistryClient } from '../../registry/registry-client';
import type { ExecContext } from '../exec/exec-context';

/**
 * `--push`: each layer a step produces is uploaded to the repositories of
 * the -t names while later steps run, one at a time per build (HEAD first,
 * so what the registry has is skipped). Best effort: a failed upload is left
 * to the push at the end (`pushTags`), which HEADs every blob again.
 */
export class EarlyPush {
  private readonly targets: Reference[];
  private readonly clients = new Map<string, Promise<RegistryClient>>();
  private readonly seen = new Set<string>();
  private readonly abort = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  /** blobs uploaded (or found there) before the build ended */
  done = 0;

  constructor(private readonly ctx: ExecContext, tags: readonly string[]) {
    this.targets = tags.map((t) => parseReference(t));
    ctx.signal?.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  private client(domain: string): Promise<RegistryClient> {
    let c = this.clients.get(domain);
    if (c === undefined) {
      const { RegistryClient: Client } = require('../../registry/registry-client') as typeof import('../../registry/registry-client'); // eslint-disable-line @typescript-eslint/no-require-imports
      const opts = this.ctx.options;
      this.clients.set(domain, (c = Client.create(domain, { env: opts.env ?? process.env, ...(opts.insecureRegistries ? { insecureRegistries: opts.insecureRegistries } : {}) })));
    }
    return c;
  }

  /** Queue a layer that is in the store. */
  layer(desc: Descriptor): void {
    for (const t of this.targets) {
      const id = `${t.domain}/${t.path}@${desc.digest}`;
      if (this.seen.has(id)) continue;
      this.seen.add(id);
      this.queue = this.queue.then(async () => {
        if (this.abort.signal.aborted) return;
        try {
          const client = await this.client(t.domain);
          const signal = this.abort.signal;
          await client.pushBlob(t.path, desc, () => this.ctx.store.content.open(desc, { verify: false, signal }), { signal });
          this.done++;
        } catch {
          // left to the final push
        }
      });
    }
  }

  /** Wait for the queued uploads. */
  settle(): Promise<void> {
    return this.queue;
  }

  /** Stop what is still queued and close the clients. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.queue;
    for (const c of this.clients.values()) await (await c.catch(() => undefined))?.close();
  }
}
