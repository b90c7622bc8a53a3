import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compare, data, skip } from './helpers.js';

/** Counts kernel calls by name while fn runs. */
function countKernels(fn: () => void): Map<string, number> {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  const counts = new Map<string, number>();
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    return original.call(this, name, ...rest);
  };
  try {
    fn();
  } finally {
    engine.runKernel = original;
  }
  return counts;
}

const f = (x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.tanh(tf.mul(tf.matMul(x, w), tf.sigmoid(tf.matMul(x, w)))));

test('on blas, first-order gradients keep their tensors without Identity kernel calls, and free them', { skip }, async () => {
  const x = () => tf.tensor(data(12, 1), [3, 4]);
  const w = () => tf.tensor(data(20, 2), [4, 5]);
  for (const backend of ['cpu', 'blas']) {
    await tf.setBackend(backend);
    const [xt, wt] = [x(), w()];
    const before = tf.memory().numTensors;
    let grads: tf.Tensor[] = [];
    const counts = countKernels(() => {
      grads = tf.grads(f)([xt, wt]);
    });
    assert.equal(tf.memory().numTensors, before + 2, `${backend}: only the two gradients remain`);
    if (backend === 'blas') assert.equal(counts.get('Identity') ?? 0, 0, 'blas: no Identity kernel for saved tensors');
    else assert.ok((counts.get('Identity') ?? 0) > 0, 'cpu: the engine clones saved tensors with Identity');
    tf.dispose([...grads, xt, wt]);
  }
  await compare('gradients of f', [{ shape: [3, 4], seed: 1 }, { shape: [4, 5], seed: 2 }], (a, b) => tf.grads(f)([a!, b!]), { atol: 1e-6, rtol: 1e-5 });
});

test('on blas, second-order gradients are unchanged (nested tapes take the engine\'s own path)', { skip }, async () => {
  // d/dx of d/dx sum(x^3 * sigmoid(x)) through mul, sigmoid: needs the saved tensors on the tape
  const g = (x: tf.Tensor) => tf.sum(tf.mul(tf.mul(tf.mul(x, x), x), tf.sigmoid(x)));
  await compare('second derivative', [{ shape: [7], seed: 3 }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.grad(g)(y)))(x!), { atol: 1e-5, rtol: 1e-5 });
  await compare('third derivative', [{ shape: [5], seed: 4 }], (x) => tf.grad((y: tf.Tensor) => tf.sum(tf.grad((z: tf.Tensor) => tf.sum(tf.grad(g)(z)))(y)))(x!), { atol: 1e-4, rtol: 1e-4 });
});
