import * as fs from 'node:fs';
import { Store } from '../../src/store/store';
import { mkTemp } from './registry-server';

/** Stores in temp dirs for one suite: `newStore()` in its tests, `removeAll()` in its `after`. */
export function tempStores(prefix = 'store'): { newStore(): Promise<Store>; removeAll(): void } {
  const dirs: string[] = [];
  return {
    newStore: async () => {
      const dir = mkTemp(prefix);
      dirs.push(dir);
      return Store.open(dir);
    },
    removeAll: () => {
      for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
    },
  };
}
