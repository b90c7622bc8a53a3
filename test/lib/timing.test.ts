/** timeit, as the I2DL notebook times its cells (src/lib/timing.ts). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { timeit } from '../../src/lib/timing.js';

before(async () => {
  await tf.setBackend('cpu');
});

describe('timeit', () => {
  it('calls the statement number (+ one warm-up) times, returns seconds and frees what it returns', () => {
    let calls = 0;
    const before = tf.memory().numTensors;
    const s = timeit(() => { calls++; return [tf.ones([3]), tf.zeros([2])]; }, 7);
    assert.equal(calls, 8);
    assert.ok(typeof s === 'number' && s >= 0);
    assert.equal(tf.memory().numTensors, before);
    calls = 0;
    timeit(() => { calls++; }, 3, { warmup: 0 });
    assert.equal(calls, 3);
  });

  it('refuses promises and non-functions', () => {
    assert.throws(() => timeit(async () => 1, 2), /returned a promise/);
    assert.throws(() => timeit(42 as unknown as () => void, 2), /must be a function/);
    assert.throws(() => timeit(() => 0, -1), /non-negative integer/);
  });
});
