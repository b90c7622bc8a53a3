import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { backendSummary, setupBackend } from '../../src/lib/backend.js';

test('setupBackend picks a working backend, reports why, and computes', async () => {
  const r = await setupBackend({ show: false });
  assert.equal(tf.getBackend(), r.name);
  assert.ok(r.attempts.length >= 1);
  assert.equal(r.attempts[r.attempts.length - 1]!.ok, true);
  assert.ok(r.attempts.slice(0, -1).every((a) => !a.ok && a.detail.length > 0), 'each skipped backend says why');
  assert.match(backendSummary(r), new RegExp(`backend: ${r.name}`));
  const y = tf.tidy(() => tf.tensor2d([[1, 2], [3, 4]]).matMul(tf.tensor2d([[1], [1]])));
  assert.deepEqual(await y.array(), [[3], [7]]);
  y.dispose();
});

test('a forced backend is used, and an unknown one is a clear error', async () => {
  const r = await setupBackend({ force: 'cpu', show: false });
  assert.equal(r.name, 'cpu');
  assert.equal(r.forced, true);
  assert.equal(tf.getBackend(), 'cpu');
  const w = await setupBackend({ force: 'wasm', show: false });
  assert.equal(w.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  const saved = process.env.RNNKIT_BACKEND;
  process.env.RNNKIT_BACKEND = 'quantum';
  try {
    await assert.rejects(setupBackend({ show: false }), /RNNKIT_BACKEND=quantum is not a backend: use one of tensorflow, blas, wasm, cpu/);
  } finally {
    if (saved === undefined) delete process.env.RNNKIT_BACKEND;
    else process.env.RNNKIT_BACKEND = saved;
  }
});

test('forcing tensorflow without tfjs-node explains what is missing', async (t) => {
  try {
    await import('@tensorflow/tfjs-node' as string);
    t.skip('tfjs-node is installed here');
    return;
  } catch {
    // expected on machines without libtensorflow
  }
  await assert.rejects(setupBackend({ force: 'tensorflow', show: false }), /forced backend 'tensorflow'.*tfjs-node/);
});
