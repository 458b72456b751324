import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { isHoistError, type ErrorCode } from '../../src/errors';
import { applyLayer, type ApplyOptions, type ApplyResult } from '../../src/layer';
import { describeTree, makeTempDir } from './layer-tree';

/**
 * A root to extract hostile layers into, beside an `outside/` directory with
 * sentinel files. `check()` asserts nothing outside the root changed: the
 * outside tree, the sandbox's own entries, and the absolute probe path.
 */
export class Sandbox {
  readonly dir: string;
  readonly root: string;
  readonly outside: string;
  /** an absolute path hostile layers aim at; must never appear */
  readonly probe: string;
  private readonly cleanupFn: () => void;
  private before: string | undefined;

  constructor() {
    const tmp = makeTempDir('hoist-sec-');
    this.dir = tmp.dir;
    this.cleanupFn = tmp.cleanup;
    this.root = path.join(this.dir, 'root');
    this.outside = path.join(this.dir, 'outside');
    this.probe = path.join(this.dir, 'probe-escaped');
    fs.mkdirSync(this.root);
    fs.mkdirSync(path.join(this.outside, 'dir'), { recursive: true });
    fs.writeFileSync(path.join(this.outside, 'sentinel.txt'), 'original\n');
    fs.writeFileSync(path.join(this.outside, 'dir', 'keep.txt'), 'keep\n');
  }

  async snapshot(): Promise<void> {
    this.before = await this.state();
  }

  async check(): Promise<void> {
    assert.equal(await this.state(), this.before, 'something outside the root changed');
    assert.equal(fs.existsSync(this.probe), false, 'the probe path was created');
  }

  cleanup(): void {
    this.cleanupFn();
  }

  private async state(): Promise<string> {
    return JSON.stringify({ outside: await describeTree(this.outside), top: fs.readdirSync(this.dir).sort() });
  }

  /** Applies `tar` to the root; returns the result or the error. Snapshots first and checks after. */
  async apply(tar: Buffer, options: ApplyOptions = {}): Promise<{ result?: ApplyResult; error?: unknown }> {
    await this.snapshot();
    let out: { result?: ApplyResult; error?: unknown };
    try {
      out = { result: await applyLayer(Readable.from([tar]), this.root, options) };
    } catch (error) {
      out = { error };
    }
    await this.check();
    return out;
  }

  /** Applies and expects a coded error, and no escape. */
  async expectRefused(tar: Buffer, code: ErrorCode, options: ApplyOptions = {}): Promise<void> {
    const { error } = await this.apply(tar, options);
    assert.ok(isHoistError(error, code), `expected ${code}, got ${String(error)}`);
  }
}

/** mocha hooks: a fresh sandbox per test. */
export function useSandbox(): () => Sandbox {
  let sb: Sandbox | undefined;
  beforeEach(() => {
    sb = new Sandbox();
  });
  afterEach(() => sb?.cleanup());
  return () => sb as Sandbox;
}
