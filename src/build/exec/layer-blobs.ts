import type { Descriptor } from '../../oci/descriptor';
import type { Digest } from '../../oci/digest';
import type { LayerRef, StageState } from './stage-state';

/**
 * A layer this build made whose blob is still being written: its diffID (so
 * its chainID, and the snapshot later steps run on) is known, its descriptor
 * once `ready` has settled. It stands in the stage's layers like any other;
 * reading `descriptor` before then is a programmer error, so it throws.
 */
export class PendingLayer implements LayerRef {
  private written: Descriptor | undefined;
  readonly ready: Promise<Descriptor>;

  constructor(
    readonly diffId: Digest,
    /** the history time of the layer: this build's, or that of a build that recorded the same layer first */
    public created: string,
    /** the index of the layer's history entry in the stage that made it (and in every stage built on it) */
    readonly historyIndex: number,
    write: Promise<Descriptor>,
  ) {
    this.ready = write.then((d) => (this.written = d));
    this.ready.catch(() => undefined); // reported by LayerBlobs.settle
  }

  get descriptor(): Descriptor {
    if (this.written === undefined) throw new Error(`the blob of layer ${this.diffId} is not written yet (await LayerBlobs.settle)`);
    return this.written;
  }
}

/** The descriptors of `layers`, waiting for those whose blobs are still being written. */
export async function descriptorsOf(layers: readonly LayerRef[]): Promise<Descriptor[]> {
  return Promise.all(layers.map((l) => (l instanceof PendingLayer ? l.ready : l.descriptor)));
}

/**
 * The layer blobs of one build that are written while later steps run: a
 * step packs its layer (the diffID is all the next step needs) and queues the
 * compression here. One write at a time, in the order the steps made them,
 * so that the compression (two blocks in the threadpool) leaves the steps
 * their share of both cores. The build awaits `settle` before anything that
 * names a blob (the config's manifest, tags, --cache-to) and `close` before it
 * releases its store lease, so a prune never sees a blob or cache record of it
 * without the lease.
 */
export class LayerBlobs {
  /**
   * Bytes of uncompressed tar the queued layers may hold in memory, all of
   * them together (a longer tar waits in a scratch file): the bench's edit
   * build holds its 2 and 8 MiB layers, and peak RSS stays flat when a
   * context has ten times the files (the 4,000-file COPY spills).
   */
  static readonly MEMORY = 16 * 1024 * 1024;
  private memory = LayerBlobs.MEMORY;
  private readonly abort = new AbortController();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly tasks: Promise<unknown>[] = [];
  readonly layers: PendingLayer[] = [];

  constructor(signal?: AbortSignal) {
    if (signal?.aborted) this.abort.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.abort.abort(signal.reason), { once: true });
  }

  /**
   * Queue the write of a layer's blob (`write` gets this queue's signal, and
   * is called even once it is aborted);
   * `then` runs once it is in the store (record it, push it). Returns the
   * layer to put in the stage now.
   */
  add(diffId: Digest, created: string, historyIndex: number, write: (signal: AbortSignal) => Promise<Descriptor>, then: (layer: PendingLayer) => Promise<void>): PendingLayer {
    const signal = this.abort.signal;
    // called even when the build has stopped meanwhile: `write` owns what it must clean up
    const written = this.queue.then(() => write(signal));
    this.queue = written.catch(() => undefined);
    const layer = new PendingLayer(diffId, created, historyIndex, written);
    this.layers.push(layer);
    const task = layer.ready.then(() => then(layer));
    task.catch(() => undefined); // reported by settle
    this.tasks.push(task);
    return layer;
  }

  /** Take what memory is left for the next layer's tar; give back what it does not hold with `release`. */
  reserve(): number {
    const n = this.memory;
    this.memory = 0;
    return n;
  }

  release(bytes: number): void {
    this.memory += bytes;
  }

  /**
   * Every queued blob written and recorded; rejects with the first failure.
   * The history times of `target`'s layers then follow any concurrent build
   * that recorded the same layer first (as a cache hit would have).
   */
  async settle(target?: StageState): Promise<void> {
    for (let done = 0; done < this.tasks.length; ) {
      const batch = this.tasks.slice(done);
      await Promise.all(batch);
      done += batch.length;
    }
    for (const l of this.layers) if (target?.layers.includes(l)) target.layerCreated.set(l.historyIndex, l.created);
  }

  /** Stop the writes still queued or running, and wait until none is (a failed or stopped build; after settle, a no-op). */
  async close(): Promise<void> {
    this.abort.abort(new Error('the build ended'));
    await Promise.allSettled(this.tasks);
  }
}
