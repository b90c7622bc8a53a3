import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { allclose, crossEntropyLoss, maxAbsDiff } from '../../src/lib/nn/functional.js';
import { Flatten, kaimingUniformBound, Linear, Sequential, Unflatten } from '../../src/lib/nn/layers.js';
import { Lambda, Module } from '../../src/lib/nn/module.js';
import { Generator, manualSeed } from '../../src/lib/random/torch-generator.js';
import { VanillaRNN } from '../../src/solutions/index.js';
import { fixture } from '../helpers/paths.js';

const gen = fixture('lab8', 'torch_generator.json');

test("Linear's default initialisation equals nn.Linear's (weight [out, in], then bias)", () => {
  const small = gen['linear_seed11_6_4'];
  manualSeed(11);
  const lin = new Linear(6, 4);
  assert.deepEqual(lin.weight.shape, [4, 6]);
  assert.deepEqual(Array.from(lin.weight.dataSync()), small.weight_out_in.map(Math.fround));
  assert.deepEqual(Array.from(lin.bias!.dataSync()), small.bias.map(Math.fround));
  const big = gen['linear_seed11_400_10'];
  const lin2 = new Linear(400, 10, { generator: new Generator(11) });
  const w = lin2.weight.dataSync();
  assert.deepEqual(Array.from(w.slice(0, 20)), big.weight_first20.map(Math.fround));
  assert.ok(Math.abs(Array.from(w).reduce((a, b) => a + b, 0) - big.weight_sum) < 1e-4);
  assert.deepEqual(Array.from(lin2.bias!.dataSync()), big.bias.map(Math.fround));
  assert.ok(Math.abs(kaimingUniformBound(400) - 0.05) < 1e-12);
  lin.dispose();
  lin2.dispose();
});

test('Linear computes x W^T + b', () => {
  const lin = new Linear(3, 2);
  lin.weight.assign(tf.tensor2d([[1, 2, 3], [4, 5, 6]]));
  lin.bias!.assign(tf.tensor1d([0.5, -1]));
  const y = lin.apply(tf.tensor2d([[1, 0, -1], [2, 1, 0]]));
  assert.deepEqual(Array.from(y.dataSync()), [-1.5, -3, 4.5, 12]);
  assert.equal(new Linear(3, 2, { bias: false }).parameters().length, 1);
});

test('Unflatten and Flatten reshape like PyTorch; bad sizes are rejected', () => {
  const x = tf.zeros([5, 40]);
  const u = new Unflatten(1, [40, 1]).apply(x);
  assert.deepEqual(u.shape, [5, 40, 1]);
  assert.deepEqual(new Flatten().apply(tf.zeros([5, 40, 10])).shape, [5, 400]);
  assert.deepEqual(new Flatten(0).apply(tf.zeros([2, 3, 4])).shape, [24]);
  assert.deepEqual(new Flatten(1, 2).apply(tf.zeros([2, 3, 4, 5])).shape, [2, 12, 5]);
  assert.throws(() => new Unflatten(1, [30, 1]).apply(x), /do not multiply/);
});

test("Sequential names its children like an OrderedDict and collects parameters in PyTorch's order", () => {
  manualSeed(0);
  const model = new Sequential({ reshape: new Unflatten(1, [40, 1]), rnn: new VanillaRNN(1, 10), flat: new Flatten(), classifier: new Linear(400, 10) });
  assert.deepEqual(model.namedParameters().map(([n, v]) => `${n}:${v.shape.join('x')}`), [
    'rnn.weight_xh:1x10', 'rnn.weight_hh:10x10', 'rnn.bias_xh:10', 'rnn.bias_hh:10', 'classifier.weight:10x400', 'classifier.bias:10',
  ]);
  assert.equal(model.numParameters(), 130 + 4010);
  assert.deepEqual(model.apply(tf.zeros([3, 40])).shape, [3, 10]);
  assert.ok(model.get('rnn') instanceof VanillaRNN);
  assert.throws(() => model.get('nope'), /no module/);
  const seq = new Sequential(new Lambda((x) => tf.mul(x, 2)), new Lambda((x) => tf.add(x, 1)));
  assert.deepEqual(Array.from(seq.apply(tf.tensor1d([1, 2])).dataSync()), [3, 5]);
  assert.deepEqual(seq.namedChildren().map(([n]) => n), ['0', '1']);
  model.dispose();
});

test('Module finds nested children and skips unset (null) parameters', () => {
  class Inner extends Module {
    w = tf.variable(tf.ones([2]));
    unset: tf.Variable | null = null;
    forward(x: tf.Tensor) { return tf.mul(x, this.w); }
  }
  class Outer extends Module {
    a = new Inner();
    b = tf.variable(tf.zeros([1]));
    forward(x: tf.Tensor) { return this.a.apply(x); }
  }
  assert.deepEqual(new Outer().namedParameters().map(([n]) => n), ['b', 'a.w']);
});

test('allclose follows torch.allclose (|a - b| <= atol + rtol |b|, NaN is never close)', () => {
  assert.equal(allclose(tf.tensor1d([1, 2]), tf.tensor1d([1, 2.00001])), true);
  assert.equal(allclose(tf.tensor1d([1, 2]), tf.tensor1d([1, 2.001])), false);
  assert.equal(allclose(tf.tensor1d([0]), tf.tensor1d([5e-5]), { atol: 1e-4 }), true);
  assert.equal(allclose(tf.tensor1d([0]), tf.tensor1d([2e-4]), { atol: 1e-4 }), false);
  assert.equal(allclose(tf.tensor1d([NaN]), tf.tensor1d([NaN])), false);
  assert.equal(allclose(tf.zeros([2, 3]), tf.zeros([3, 2])), false);
  assert.equal(maxAbsDiff([1, 2], [1.5, 2]), 0.5);
});

test('crossEntropyLoss is the mean of -log softmax at the label', () => {
  const logits = [[2, 1, 0.1], [0.5, 2.5, -1]];
  const labels = [0, 2];
  const want = logits.map((row, i) => {
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    return lse - row[labels[i]!]!;
  });
  const got = crossEntropyLoss(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')).dataSync()[0]!;
  assert.ok(Math.abs(got - (want[0]! + want[1]!) / 2) < 1e-6);
});
