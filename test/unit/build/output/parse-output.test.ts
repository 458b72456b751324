import * as assert from 'node:assert/strict';
import { layerTimesClamped, parseOutputSpec } from '../../../../src/build/output/parse-output';
import { isHoistError } from '../../../../src/errors';

const invalid = (fn: () => unknown): void => assert.throws(fn, (e: unknown) => isHoistError(e, 'BUILD_OUTPUT_INVALID'));

describe('build/output: --output specs and rewrite-timestamp', () => {
  it('reads docker CSV forms and a bare directory', () => {
    assert.deepEqual(parseOutputSpec('out'), { type: 'local', dest: 'out' });
    assert.deepEqual(parseOutputSpec('type=oci,dest=x.tar'), { type: 'oci', dest: 'x.tar' });
    assert.deepEqual(parseOutputSpec('type=image'), { type: 'image' });
    invalid(() => parseOutputSpec('type=oci'));
    invalid(() => parseOutputSpec('type=tar,dest=x'));
  });

  it('keeps rewrite-timestamp as Go booleans, false as well as true', () => {
    assert.deepEqual(parseOutputSpec('type=image,rewrite-timestamp=true'), { type: 'image', rewriteTimestamp: true });
    assert.deepEqual(parseOutputSpec('type=docker,dest=d.tar,rewrite-timestamp=F'), { type: 'docker', dest: 'd.tar', rewriteTimestamp: false });
    invalid(() => parseOutputSpec('type=image,rewrite-timestamp=yes'));
  });

  it('an epoch alone clamps layer times; an image output saying false keeps them; outputs that disagree are refused', () => {
    assert.deepEqual(layerTimesClamped([], true), { clamp: true, asked: false });
    assert.deepEqual(layerTimesClamped([], false), { clamp: false, asked: false });
    assert.deepEqual(layerTimesClamped([{ type: 'image', rewriteTimestamp: true }], false), { clamp: false, asked: true });
    assert.deepEqual(layerTimesClamped([{ type: 'oci', dest: 'x', rewriteTimestamp: false }], true), { clamp: false, asked: false });
    // a local output's files are dated anyway: its flag does not decide the layers
    assert.deepEqual(layerTimesClamped([{ type: 'local', dest: 'x', rewriteTimestamp: false }, { type: 'image' }], true), { clamp: true, asked: false });
    invalid(() => layerTimesClamped([{ type: 'image', rewriteTimestamp: true }, { type: 'oci', dest: 'x', rewriteTimestamp: false }], true));
  });
});
