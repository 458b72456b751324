import { strict as assert } from 'node:assert';
import { honoursInitGroupsInUserns } from '../../../src/convert';

describe('convert/lxc/lxc-version', () => {
  it('lxc.init.groups counts in a user namespace from LXC 6.0.6 on', () => {
    for (const v of [[5, 0, 2], [6, 0, 5], [4, 9, 9]]) assert.equal(honoursInitGroupsInUserns(v), false, v.join('.'));
    for (const v of [[6, 0, 6], [6, 1, 0], [7, 0], [6, 0, 10]]) assert.equal(honoursInitGroupsInUserns(v), true, v.join('.'));
  });
});
