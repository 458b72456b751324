import * as assert from 'node:assert/strict';
import { resolveScoped, type ScopedFs, type ScopedOptions } from '../../../src/layer/scoped-path';

/** A tree of names: a string value is a symlink's target, `{}` a directory, `null` a file. */
function treeFs(entries: Record<string, string | object | null>): ScopedFs {
  return {
    kind: (rel) => {
      if (!(rel in entries)) return undefined;
      const e = entries[rel];
      return typeof e === 'string' ? 'link' : e === null ? 'other' : 'dir';
    },
    readlink: (rel) => entries[rel] as string,
  };
}

const opts = (o: Partial<ScopedOptions> = {}): ScopedOptions => ({ followLast: true, maxLinks: 8, stopEarly: false, tooManyLinks: () => new Error('loop'), ...o });

describe('layer/resolveScoped (a path inside a root as if it were /)', () => {
  const fsys = treeFs({ a: {}, 'a/b': null, up: '../../..', abs: '/a', rel: 'a/b', loop: 'loop', f: null });

  it('never climbs above the root, and an absolute target restarts at it', () => {
    assert.deepEqual(resolveScoped('../../a/../a/b', fsys, opts()).parts, ['a', 'b']);
    assert.deepEqual(resolveScoped('up/a', fsys, opts()).parts, ['a']);
    assert.deepEqual(resolveScoped('a/../abs/b', fsys, opts()).parts, ['a', 'b']);
  });

  it('follows the last symlink only when asked', () => {
    assert.deepEqual(resolveScoped('rel', fsys, opts()).parts, ['a', 'b']);
    assert.deepEqual(resolveScoped('rel', fsys, opts({ followLast: false })).parts, ['rel']);
  });

  it('throws the caller\'s error past maxLinks', () => {
    assert.throws(() => resolveScoped('loop', fsys, opts()), /^Error: loop$/);
  });

  it('stops early at a missing component or a file with more to come; else resolves the rest as names', () => {
    assert.deepEqual(resolveScoped('a/x/../y', fsys, opts({ stopEarly: true })), { parts: ['a', 'x'], stopped: { why: 'missing', rest: ['..', 'y'] } });
    assert.deepEqual(resolveScoped('f/z', fsys, opts({ stopEarly: true })), { parts: ['f'], stopped: { why: 'not-dir', rest: ['z'] } });
    assert.deepEqual(resolveScoped('a/x/../y', fsys, opts()).parts, ['a', 'y']);
  });
});
