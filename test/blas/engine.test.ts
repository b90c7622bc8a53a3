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

test('Add / Sub / Multiply gradients on blas match cpu for every broadcast pattern, with fewer kernel calls', { skip }, async () => {
  const pairs: [number[], number[]][] = [
    [[4, 5], [4, 5]], [[4, 5], [5]], [[4, 5], [1, 5]], [[4, 5], [4, 1]], [[5], [4, 5]], [[4, 1], [1, 5]],
    [[4, 5], []], [[], [4, 5]], [[2, 3, 4], [3, 1]], [[1], [1]],
  ];
  let seed = 30;
  for (const [sa, sb] of pairs) {
    for (const [name, op] of [['add', tf.add], ['sub', tf.sub], ['mul', tf.mul]] as const) {
      const specs = [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }, { shape: tf.broadcast_util.assertAndGetBroadcastShape(sa, sb), seed: seed++ }];
      // weighted sum so that every gradient entry differs; the same input twice too (x op x)
      await compare(`d ${name} [${sa}] [${sb}]`, specs, (a, b, w) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(op(x, y), w!)))([a!, b!]), { atol: 1e-6, rtol: 1e-6 });
    }
  }
  await compare('d (x * x + x - x)', [{ shape: [3, 4], seed: 99 }], (a) => tf.grad((x: tf.Tensor) => tf.sum(tf.sub(tf.add(tf.mul(x, x), x), x)))(a!), { atol: 1e-6, rtol: 1e-6 });
  await tf.setBackend('blas');
  const [a, b] = [tf.tensor(data(20, 1), [4, 5]), tf.tensor(data(20, 2), [4, 5])];
  let g: tf.Tensor[] = [];
  const counts = countKernels(() => {
    g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.add(x, y), tf.sub(x, y))))([a, b]);
  });
  for (const k of ['Cast', 'Identity']) assert.equal(counts.get(k) ?? 0, 0, `no ${k} kernel`);
  assert.equal(counts.get('Reshape') ?? 0, 1, 'one Reshape (in the gradient of the final sum), none for add / sub / mul');
  tf.dispose([...g, a, b]);
});
