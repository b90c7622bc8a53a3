import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { compare, skip } from './helpers.js';
import { SIGMOID_GRAD, TANH_GRAD } from '../../src/lib/blas/gradients.js';

const BROADCAST_PAIRS: [number[], number[]][] = [
  [[4, 5], [4, 5]],
  [[4, 5], [5]],
  [[4, 5], [1, 5]],
  [[4, 5], [4, 1]],
  [[5], [4, 5]],
  [[4, 1], [1, 5]],
  [[4, 5], []],
  [[], [4, 5]],
  [[2, 3, 4], [3, 1]],
  [[2, 1, 4], [1, 3, 1]],
  [[2, 3, 4, 5], [3, 1, 5]],
  [[64, 512], [512]],
  [[64, 512], [64, 512]], // Add / Sub by BLAS level 1 (size >= 4096)
  [[4096], [4096]],
  [[4095], [4095]],
  [[1], [1]],
  [[0, 3], [3]],
];

test('binary ops match cpu for every broadcast pattern', { skip }, async () => {
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div],
    ['maximum', tf.maximum], ['minimum', tf.minimum], ['squaredDifference', tf.squaredDifference],
  ];
  let seed = 1;
  for (const [name, op] of ops) {
    for (const [sa, sb] of BROADCAST_PAIRS) {
      await compare(`${name} [${sa}] [${sb}]`, [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }], (a, b) => op(a!, b!), { atol: 0, rtol: 0 });
    }
  }
});

test('int32 binary ops fall back to cpu (integer semantics kept)', { skip }, async () => {
  const results: { dtype: string; values: number[] }[][] = [];
  for (const b of ['cpu', 'blas']) {
    await tf.setBackend(b);
    const outs = tf.tidy(() => {
      const x = tf.tensor1d([7, -7, 5], 'int32');
      const y = tf.tensor1d([2, 2, -3], 'int32');
      return [tf.div(x, y), tf.add(x, tf.scalar(3, 'int32')), tf.mul(x, y), tf.sum(x)];
    });
    results.push(outs.map((t) => ({ dtype: t.dtype, values: Array.from(t.dataSync()) })));
    tf.dispose(outs);
  }
  assert.deepEqual(results[1], results[0]);
  assert.equal(results[1]![0]!.dtype, 'int32');
  assert.deepEqual(results[1]![0]!.values, [3, -4, -2]);
});

test('unary ops match cpu (sigmoid/tanh/exp within 2 float32 ulps)', { skip }, async () => {
  const spec = [{ shape: [20001], seed: 3, scale: 30 }];
  for (const [name, op, tol] of [
    ['sigmoid', tf.sigmoid, 2.5e-7],
    ['tanh', tf.tanh, 2.5e-7],
    ['exp', tf.exp, 2.5e-7],
    ['neg', tf.neg, 0],
    ['square', tf.square, 0],
    ['relu', tf.relu, 0],
  ] as const) {
    await compare(name, spec, (x) => (op as (t: tf.Tensor) => tf.Tensor)(x!), { atol: 0, rtol: tol });
  }
  const pos = [{ shape: [5000], seed: 4, scale: 1 }];
  await compare('sqrt', pos, (x) => tf.sqrt(tf.abs(x!)), { atol: 0, rtol: 0 });
  await compare('log', pos, (x) => tf.log(tf.abs(x!)), { atol: 0, rtol: 0 });
});

test('sigmoid, tanh and exp handle the extremes like cpu', { skip }, async () => {
  const xs = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -1e-30, 3e-4, 5e-4, 88, 89, 100, -88, -100, -104, -200, 7.99, 8, -8, 20, -20];
  for (const op of [tf.sigmoid, tf.tanh, tf.exp]) {
    const res: number[][] = [];
    for (const b of ['cpu', 'blas']) {
      await tf.setBackend(b);
      res.push(Array.from(tf.tidy(() => op(tf.tensor1d(xs))).dataSync()));
    }
    const [want, got] = res as [number[], number[]];
    for (let i = 0; i < xs.length; i++) {
      const a = want[i]!;
      const g = got[i]!;
      if (!Number.isFinite(a)) assert.ok(Object.is(a, g) || (Number.isNaN(a) && Number.isNaN(g)), `${op.name}(${xs[i]}): cpu ${a} blas ${g}`);
      else assert.ok(Math.abs(a - g) <= 2.5e-7 * Math.abs(a) + 1e-44, `${op.name}(${xs[i]}): cpu ${a} blas ${g}`);
    }
  }
});

test('slice, split, concat, stack, unstack, transpose match cpu', { skip }, async () => {
  const x = [{ shape: [4, 6, 5], seed: 9 }];
  await compare('slice middle', x, (t) => tf.slice(t!, [1, 2, 1], [2, 3, 3]), { atol: 0, rtol: 0 });
  await compare('slice rows', x, (t) => tf.slice(t!, [1, 0, 0], [2, -1, -1]), { atol: 0, rtol: 0 });
  await compare('slice last axis', x, (t) => tf.slice(t!, [0, 0, 2], [-1, -1, 2]), { atol: 0, rtol: 0 });
  await compare('slice empty', x, (t) => tf.slice(t!, [0, 0, 0], [0, 6, 5]), { atol: 0, rtol: 0 });
  for (const axis of [0, 1, 2, -1]) {
    await compare(`split 2 axis ${axis}`, [{ shape: [4, 6, 8], seed: 10 }], (t) => tf.split(t!, 2, axis), { atol: 0, rtol: 0 });
    await compare(`split sizes axis ${axis}`, [{ shape: [4, 6, 8], seed: 11 }], (t) => tf.split(t!, [1, -1, 1], axis), { atol: 0, rtol: 0 });
    await compare(`concat axis ${axis}`, [{ shape: [4, 6, 8], seed: 12 }, { shape: [4, 6, 8], seed: 13 }], (a, b) => tf.concat([a!, b!, a!], axis), { atol: 0, rtol: 0 });
    if (axis >= 0) {
      await compare(`stack axis ${axis}`, [{ shape: [4, 6, 8], seed: 14 }, { shape: [4, 6, 8], seed: 15 }], (a, b) => tf.stack([a!, b!], axis), { atol: 0, rtol: 0 });
      await compare(`unstack axis ${axis}`, [{ shape: [4, 6, 8], seed: 16 }], (a) => tf.unstack(a!, axis), { atol: 0, rtol: 0 });
    }
  }
  await compare('split gates of a cell [100, 30] -> 20 | 10', [{ shape: [100, 30], seed: 19 }], (t) => tf.split(t!, [20, 10], 1), { atol: 0, rtol: 0 });
  await compare('split long rows [3, 300] -> 100 | 200', [{ shape: [3, 300], seed: 20 }], (t) => tf.split(t!, [100, 200], 1), { atol: 0, rtol: 0 });
  await compare('concat unequal', [{ shape: [3, 2], seed: 17 }, { shape: [3, 5], seed: 18 }], (a, b) => tf.concat([a!, b!], 1), { atol: 0, rtol: 0 });
  for (const perm of [[1, 0, 2], [2, 1, 0], [0, 2, 1], [1, 2, 0]]) {
    await compare(`transpose ${perm}`, x, (t) => tf.transpose(t!, perm), { atol: 0, rtol: 0 });
  }
  await compare('transpose 2d', [{ shape: [7, 3], seed: 19 }], (t) => tf.transpose(t!), { atol: 0, rtol: 0 });
  await compare('transpose 2d, tiles', [{ shape: [70, 45], seed: 21 }], (t) => tf.transpose(t!), { atol: 0, rtol: 0 });
  // Lab 8's: [N, 40, 1] -> [40, N, 1] (a 2-d transpose once the size-1 dim is dropped) and back
  await compare('transpose [100, 40, 1] -> [40, 100, 1]', [{ shape: [100, 40, 1], seed: 22 }], (t) => tf.transpose(t!, [1, 0, 2]), { atol: 0, rtol: 0 });
  await compare('transpose [40, 100, 10] -> [100, 40, 10]', [{ shape: [40, 100, 10], seed: 23 }], (t) => tf.transpose(t!, [1, 0, 2]), { atol: 0, rtol: 0 });
  await compare('transpose [3, 100, 70] -> [100, 3, 70] (long rows)', [{ shape: [3, 100, 70], seed: 24 }], (t) => tf.transpose(t!, [1, 0, 2]), { atol: 0, rtol: 0 });
  await compare('transpose with size-1 dims [1, 4, 1, 3, 2] (5-d, merged)', [{ shape: [1, 4, 1, 3, 2], seed: 25 }], (t) => tf.transpose(t!, [2, 4, 0, 3, 1]), { atol: 0, rtol: 0 });
  await compare('transpose merged groups [2, 3, 4, 5] -> [2, 3] <-> [4, 5]', [{ shape: [2, 3, 4, 5], seed: 26 }], (t) => tf.transpose(t!, [2, 3, 0, 1]), { atol: 0, rtol: 0 });
  for (const [shape, pads] of [
    [[64, 1, 128], [[0, 0], [27, 0], [0, 0]]], // the gradient of out[:, -1, :] in Lab sheet 9's RNN_Model
    [[3, 4], [[1, 2], [0, 3]]],
    [[2, 3, 4], [[0, 0], [0, 0], [2, 1]]],
    [[5], [[0, 0]]],
    [[2, 2, 2, 2], [[1, 0], [0, 1], [1, 1], [0, 0]]],
    [[0, 3], [[1, 1], [0, 0]]],
  ] as [number[], [number, number][]][]) {
    await compare(`pad [${shape}] by ${JSON.stringify(pads)}`, [{ shape, seed: 40 }], (t) => tf.pad(t!, pads), { atol: 0, rtol: 0 });
    await compare(`pad [${shape}] with 1.5`, [{ shape, seed: 41 }], (t) => tf.pad(t!, pads, 1.5), { atol: 0, rtol: 0 });
  }
  for (const [shape, reps] of [
    [[64, 1], [1, 128]], // tf.layers' initial states
    [[2, 3], [2, 2]],
    [[3], [4]],
    [[2, 1, 3], [1, 5, 2]],
    [[1, 70], [3, 1]],
    [[2, 2], [0, 3]],
    [[4, 5], [1, 1]],
  ] as [number[], number[]][]) {
    await compare(`tile [${shape}] by [${reps}]`, [{ shape, seed: 43 }], (t) => tf.tile(t!, reps), { atol: 0, rtol: 0 });
  }
  await compare('slice gradient (pad)', [{ shape: [4, 6, 5], seed: 42 }], (t) => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.slice(x, [1, 5, 0], [2, 1, 5]), 3)))(t!), { atol: 0, rtol: 0 });
  await compare('transpose identity perm', [{ shape: [3, 4, 5], seed: 27 }], (t) => tf.transpose(t!, [0, 1, 2]), { atol: 0, rtol: 0 });
  await compare('transpose all size 1', [{ shape: [1, 1, 1], seed: 28 }], (t) => tf.transpose(t!, [2, 0, 1]), { atol: 0, rtol: 0 });
  await compare('transpose 5d (fallback)', [{ shape: [2, 3, 1, 2, 2], seed: 20 }], (t) => tf.transpose(t!, [4, 3, 2, 1, 0]), { atol: 0, rtol: 0 });
});

test('sum matches cpu over every axis pattern', { skip }, async () => {
  const x = [{ shape: [30, 40, 5, 2], seed: 21 }]; // 12000 elements: the sgemm path
  const small = [{ shape: [3, 4, 5, 2], seed: 25 }]; // the JavaScript path
  const axesList: (number | number[] | undefined)[] = [undefined, 0, 1, 2, 3, -1, [0, 1], [1, 2], [2, 3], [0, 3], [0, 2], [1, 3], [0, 1, 2, 3]];
  for (const axes of axesList) {
    for (const keepDims of [false, true]) {
      await compare(`sum ${JSON.stringify(axes)} keepDims=${keepDims}`, x, (t) => tf.sum(t!, axes, keepDims), { atol: 1e-3, rtol: 1e-5 });
      await compare(`small sum ${JSON.stringify(axes)} keepDims=${keepDims}`, small, (t) => tf.sum(t!, axes, keepDims), { atol: 1e-6, rtol: 1e-6 });
    }
  }
  // Large sums go through sgemm with a ones vector: float32 accumulation (as in PyTorch) against
  // the cpu kernel's double accumulation; the error bound is about sqrt(rows) * eps * sum(|x|).
  const big: { shape: number[]; seed: number }[] = [{ shape: [1792, 512], seed: 22 }];
  await compare('sum of [1792, 512] over rows (bias gradient)', big, (t) => tf.sum(t!, 0), { atol: 2e-4, rtol: 1e-5 });
  await compare('sum of [512, 1792] over columns', [{ shape: [512, 1792], seed: 23 }], (t) => tf.sum(t!, 1), { atol: 2e-4, rtol: 1e-5 });
  await compare('sum of [6, 300, 20] over the middle', [{ shape: [6, 300, 20], seed: 24 }], (t) => tf.sum(t!, 1), { atol: 2e-5, rtol: 1e-5 });
  await compare('sum of everything', big, (t) => tf.sum(t!), { atol: 2e-2, rtol: 1e-5 });
});

test('values read back are copies the backend will not change later', { skip }, async () => {
  await tf.setBackend('blas');
  const a = tf.tensor1d([1, 2, 3]);
  const b = tf.mul(a, 2);
  const v = b.dataSync();
  b.dispose();
  const c = tf.mul(a, 5);
  assert.deepEqual(Array.from(v), [2, 4, 6]);
  tf.dispose([a, c]);
});

test('sigmoid and tanh gradients (fused on blas) match cpu, and cpu keeps its own', { skip }, async () => {
  const spec = [{ shape: [3000], seed: 40, scale: 6 }, { shape: [3000], seed: 41 }];
  for (const [name, op] of [['sigmoid', tf.sigmoid], ['tanh', tf.tanh]] as const) {
    const f = (x: tf.Tensor) => op(x);
    await compare(`${name}'`, spec, (x, dy) => tf.grad(f)(x!, dy!), { atol: 5e-7, rtol: 1e-5 });
    await compare(`${name} in a chain`, spec, (x, w) => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(tf.mul(a, b)), b)))([x!, w!]), { atol: 1e-6, rtol: 1e-5 });
  }
  // On cpu the original tfjs gradient still runs: d sigmoid(0) = 0.25, d tanh(0) = 1.
  await tf.setBackend('cpu');
  const g = tf.tidy(() => [tf.grad(tf.sigmoid)(tf.zeros([2])), tf.grad(tf.tanh)(tf.zeros([2]))]);
  assert.deepEqual(g.map((t) => Array.from(t.dataSync())), [[0.25, 0.25], [1, 1]]);
  tf.dispose(g);
});

test('the fused gradient kernels have correct gradients themselves', { skip }, async () => {
  await tf.setBackend('blas');
  const spec = [tf.tensor1d([0.3, -1.2, 2, 0.01]), tf.tensor1d([0.2, 0.7, -0.5, 0.9])];
  for (const [kernel, formula] of [
    [SIGMOID_GRAD, (dy: tf.Tensor, y: tf.Tensor) => tf.mul(dy, tf.mul(y, tf.sub(1, y)))],
    [TANH_GRAD, (dy: tf.Tensor, y: tf.Tensor) => tf.mul(tf.sub(1, tf.square(y)), dy)],
  ] as const) {
    const got = tf.grads((dy: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.engine().runKernel(kernel, { dy, y }) as tf.Tensor)))(spec);
    const want = tf.grads((dy: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(formula(dy, y))))(spec);
    for (let i = 0; i < 2; i++) {
      const [g, w] = [got[i]!.dataSync(), want[i]!.dataSync()];
      for (let j = 0; j < g.length; j++) assert.ok(Math.abs(g[j]! - w[j]!) <= 1e-6, `${kernel} input ${i}[${j}]: ${g[j]} vs ${w[j]}`);
    }
    tf.dispose([...got, ...want]);
  }
  tf.dispose(spec);
});
