import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ReLU, Sigmoid, Tanh } from '../../src/lib/nn/activations.js';
import { constant_, init, ones_, zeros_ } from '../../src/lib/nn/init.js';
import { Linear, Sequential } from '../../src/lib/nn/layers.js';
import { RNN } from '../../src/lib/nn/recurrent.js';
import { Generator, uniform_ } from '../../src/lib/random/torch-generator.js';

test('constant_ / zeros_ / ones_ fill a parameter in place (float32 of the value) and return it', () => {
  const lin = new Linear(3, 2);
  assert.equal(constant_(lin.weight, 0.3), lin.weight);
  assert.deepEqual(Array.from(lin.weight.dataSync()), new Array(6).fill(Math.fround(0.3)));
  assert.deepEqual(lin.weight.shape, [2, 3]);
  zeros_(lin.bias!);
  assert.deepEqual(Array.from(lin.bias!.dataSync()), [0, 0]);
  ones_(lin.bias!);
  assert.deepEqual(Array.from(lin.bias!.dataSync()), [1, 1]);
  // the PyTorch spelling
  init.constant_(lin.weight, -2);
  assert.deepEqual(Array.from(lin.weight.dataSync()), new Array(6).fill(-2));
  assert.equal(init.uniform_, uniform_);
  const before = tf.memory().numTensors;
  constant_(lin.weight, 1);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
  lin.dispose();
});

test('constant_ rejects what is not a parameter, with a clear message', () => {
  const lin = new Linear(3, 2, { bias: false });
  assert.throws(() => constant_(lin.bias as unknown as tf.Variable, 0.3), /got null instead of a tf.Variable/);
  assert.throws(() => constant_(tf.zeros([2]) as unknown as tf.Variable, 0.3), /plain tf.Tensor/);
  assert.throws(() => constant_(lin.weight, '0.3' as unknown as number), /value must be a number/);
  lin.dispose();
});

test('Sigmoid, Tanh and ReLU modules compute their functions and have no parameters', () => {
  const x = tf.tensor1d([-2, -0.5, 0, 0.5, 3]);
  const xs = [-2, -0.5, 0, 0.5, 3];
  const check = (got: tf.Tensor, f: (v: number) => number) => {
    const g = got.dataSync();
    xs.forEach((v, i) => assert.ok(Math.abs(g[i]! - f(v)) < 1e-6, `f(${v}) = ${g[i]}, expected ${f(v)}`));
  };
  check(new Sigmoid().apply(x), (v) => 1 / (1 + Math.exp(-v)));
  check(new Tanh().apply(x), Math.tanh);
  check(new ReLU().apply(x), (v) => Math.max(0, v));
  for (const m of [new Sigmoid(), new Tanh(), new ReLU()]) assert.equal(m.parameters().length, 0);
  const model = new Sequential(new Linear(5, 2), new Sigmoid());
  const y = model.apply(x.reshape([1, 5])).dataSync();
  assert.ok(Array.from(y).every((v) => v > 0 && v < 1));
  model.dispose();
});

test('Module: training mode by default; train(false) / eval() reach every child; getParameter by dotted name', () => {
  const model = new Sequential({ rnn: new RNN(2, 3, { generator: new Generator(0) }), head: new Sequential({ fc: new Linear(3, 1) }) });
  const all = [model, model.get('rnn'), model.get('head'), (model.get('head') as Sequential).get('fc')];
  assert.ok(all.every((m) => m.training));
  assert.equal(model.eval(), model);
  assert.ok(all.every((m) => !m.training));
  model.train();
  assert.ok(all.every((m) => m.training));
  model.train(false);
  assert.ok(all.every((m) => !m.training));
  assert.equal(model.getParameter('head.fc.weight'), (model.get('head') as Sequential).get('fc').parameters()[0]);
  assert.deepEqual(model.getParameter('rnn.weight_hh_l0').shape, [3, 3]);
  assert.throws(() => model.getParameter('rnn.weight'), /has no parameter 'rnn.weight'/);
  // the flag is not a parameter
  assert.deepEqual(model.namedParameters().map(([n]) => n), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0', 'head.fc.weight', 'head.fc.bias']);
  model.dispose();
});
