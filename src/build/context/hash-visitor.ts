import type { AddHooks } from './copy-writer';
import type { PlanVisitor } from './plan';
import type { Match } from './select-sources';
import type { SelectionHasher } from './selection-hasher';
import type { CopyRequest } from './types';
import type { WalkEntry } from './walk-match';

/** The visitor `hashSources` uses: what CopyWriter would write, hashed, nothing written. */
export class HashVisitor implements PlanVisitor {
  constructor(
    private readonly req: CopyRequest,
    private readonly hasher: SelectionHasher,
    private readonly hooks: AddHooks,
  ) {}

  source(index: number, source: string): void {
    this.hasher.source(index, source);
  }

  async url(source: string): Promise<void> {
    const d = await this.hooks.download(source);
    const unpack = this.req.unpackUrls === true && (await this.hooks.isArchive(d.file));
    this.hasher.download(d.name, d.sha256, d.size, d.lastModified, unpack ? 'unpack' : 'copy');
  }

  async match(m: Match): Promise<'walk' | 'unpack'> {
    if (this.req.unpackArchives && m.stat.isFile() && (await this.hooks.isArchive(m.abs))) {
      this.hasher.match(m, 'unpack');
      this.hasher.entry({ rel: '', treeRel: m.rel, abs: m.abs, stat: m.stat });
      return 'unpack';
    }
    this.hasher.match(m, 'copy');
    return 'walk';
  }

  entry(_m: Match, e: WalkEntry): void {
    this.hasher.entry(e);
  }

  inline(name: string, data: Buffer): void {
    this.hasher.inline(name, data);
  }

  matchDone(): void {}
}
