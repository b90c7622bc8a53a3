import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { crossEntropyLoss } from '../../src/lib/nn/functional.js';
import { Linear } from '../../src/lib/nn/layers.js';
import { Module } from '../../src/lib/nn/module.js';
import { LSTM } from '../../src/lib/nn/recurrent.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { test as testEpoch, train as trainEpoch } from '../../src/lib/training/loop.js';
import { Adam } from '../../src/lib/training/optim.js';
import { buildClassifier } from '../../src/lib/training/classifier.js';
import { lab8Cells } from '../../src/solutions/lab8.js';
import { data, skip } from './helpers.js';

/**
 * A small Lab-8-style model: input [N, T] -> T steps of 1 feature -> GRU-equation cell (hidden H)
 * -> flatten -> Linear(T*H, 10); cross-entropy; Adam with weight decay added to the gradient.
 */
function makeModel(N: number, T: number, H: number) {
  const mk = (shape: number[], seed: number, name: string) => {
    const n = shape.reduce((p, q) => p * q, 1);
    const v = data(n, seed);
    for (let i = 0; i < n; i++) v[i]! *= 1 / Math.sqrt(H);
    return tf.variable(tf.tensor(v, shape), true, `${name}_${Math.random().toString(36).slice(2)}`);
  };
  const p = {
    wxh: mk([1, 3 * H], 1, 'wxh'),
    whh: mk([H, 3 * H], 2, 'whh'),
    bxh: mk([3 * H], 3, 'bxh'),
    bhh: mk([3 * H], 4, 'bhh'),
    fw: mk([T * H, 10], 5, 'fw'),
    fb: mk([10], 6, 'fb'),
  };
  const params = Object.values(p);
  const x = tf.tensor(data(N * T, 7), [N, T]);
  const labels = tf.tensor1d(Array.from({ length: N }, (_, i) => (i * 7) % 10), 'int32');
  const y = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  const opt: tf.Optimizer = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
  const loss = () => {
    const xs = tf.unstack(tf.transpose(tf.reshape(x, [N, T, 1]), [1, 0, 2])) as tf.Tensor2D[];
    let h: tf.Tensor2D = tf.zeros([N, H]);
    const hs: tf.Tensor2D[] = [];
    for (const xt of xs) {
      const gx = tf.add(tf.matMul(xt, p.wxh), p.bxh);
      const gh = tf.add(tf.matMul(h, p.whh), p.bhh);
      const [xr, xz, xn] = tf.split(gx, 3, 1);
      const [hr, hz, hn] = tf.split(gh, 3, 1);
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
      hs.push(h);
    }
    const flat = tf.reshape(tf.transpose(tf.stack(hs), [1, 0, 2]), [N, T * H]);
    const logits = tf.fused.matMul({ a: flat, b: p.fw, bias: p.fb });
    return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
  };
  const step = (): number =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(loss, params);
      const g: tf.NamedTensorMap = {};
      for (const v of params) g[v.name] = tf.add(grads[v.name]!, tf.mul(v, 1e-3));
      opt.applyGradients(g);
      return value.dataSync()[0]!;
    });
  const dispose = () => {
    tf.dispose([...params, x, y]);
    opt.dispose();
  };
  return { step, dispose };
}

test('training on blas leaves the tensor count unchanged after the first step', { skip }, async () => {
  await tf.setBackend('blas');
  const m = makeModel(16, 12, 6);
  const before = tf.memory().numTensors;
  m.step();
  const afterFirst = tf.memory().numTensors; // Adam's moments are created on the first step
  for (let i = 0; i < 5; i++) {
    m.step();
    assert.equal(tf.memory().numTensors, afterFirst, `step ${i + 2} changed the tensor count`);
  }
  m.dispose();
  assert.ok(tf.memory().numTensors <= before, 'disposing the model frees its tensors');
});

test('a tf.layers simpleRNN trains on blas without leaking', { skip }, async () => {
  await tf.setBackend('blas');
  const model = tf.sequential();
  model.add(tf.layers.simpleRNN({ units: 8, inputShape: [5, 3] }));
  model.add(tf.layers.dense({ units: 4 }));
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = tf.train.adam(1e-2);
  const x = tf.tensor(data(6 * 5 * 3, 30), [6, 5, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0, 1], 'int32'), 4).toFloat();
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar, true, params)!;
  step().dispose();
  const n = tf.memory().numTensors;
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    const l = step();
    losses.push(l.dataSync()[0]!);
    l.dispose();
    assert.equal(tf.memory().numTensors, n, `step ${i + 2} changed the tensor count`);
  }
  assert.ok(losses[losses.length - 1]! < losses[0]!, `loss decreases (${losses[0]} -> ${losses[losses.length - 1]})`);
  model.dispose();
  tf.dispose([x, y]);
  opt.dispose();
});

test('training on blas follows cpu step for step', { skip }, async () => {
  const curves: number[][] = [];
  for (const b of ['cpu', 'blas']) {
    await tf.setBackend(b);
    const m = makeModel(16, 12, 6);
    curves.push(Array.from({ length: 8 }, () => m.step()));
    m.dispose();
  }
  const [cpu, blas] = curves as [number[], number[]];
  for (let i = 0; i < cpu.length; i++) assert.ok(Math.abs(cpu[i]! - blas[i]!) < 1e-4 * Math.max(1, Math.abs(cpu[i]!)), `step ${i}: cpu ${cpu[i]} blas ${blas[i]}`);
  assert.ok(blas[blas.length - 1]! < blas[0]!, 'the loss goes down');
});

/* ---- memory: a training epoch through the library on every backend that installs ---- */

/** Lab sheet 9's model shape in small: 2-layer LSTM (batchFirst), Linear on the last layer's h_n. */
class SmallLstmModel extends Module {
  readonly lstm = new LSTM(5, 6, { numLayers: 2, batchFirst: true });
  readonly fc = new Linear(6, 10);

  forward(x: tf.Tensor): tf.Tensor {
    const [, [hn]] = this.lstm.call(x);
    const [l, n, h] = hn.shape as [number, number, number];
    return this.fc.apply(tf.reshape(tf.slice(hn, [l - 1, 0, 0], [1, n, h]), [n, h]));
  }
}

const memoryBackends = ['cpu', 'wasm', ...(skip ? [] : ['blas'])];
for (const backend of memoryBackends) {
  test(`an epoch of train + test leaves tf.memory().numTensors unchanged on ${backend} (Lab 8 cells, library LSTM)`, async () => {
    assert.ok(await tf.setBackend(backend), backend);
    const start = tf.memory().numTensors;
    const x = tf.tensor(data(250 * 40, 50), [250, 40]);
    const y = tf.tensor1d(Array.from({ length: 250 }, (_, i) => (i * 3) % 10), 'int32');
    const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 100 });
    const x3 = tf.tensor(data(40 * 7 * 5, 51), [40, 7, 5]);
    const y3 = tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 10), 'int32');
    const loader3 = new DataLoader(new TensorDataset(x3, y3), { batchSize: 16 });
    const models: [string, Module, DataLoader][] = [
      ...(['vanilla', 'gru', 'lstm'] as const).map((k): [string, Module, DataLoader] => [k, buildClassifier(lab8Cells[k], 4), loader]),
      ['LSTM module', new SmallLstmModel(), loader3],
    ];
    for (const [name, model, l] of models) {
      const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
      await trainEpoch(l, model, opt, crossEntropyLoss); // creates Adam's moments
      const before = tf.memory().numTensors;
      const [loss, acc] = await trainEpoch(l, model, opt, crossEntropyLoss);
      const [tloss] = await testEpoch(l, model, crossEntropyLoss);
      assert.equal(tf.memory().numTensors, before, `${backend} ${name}: tensors leaked by an epoch`);
      assert.ok(Number.isFinite(loss) && Number.isFinite(tloss) && acc >= 0, `${backend} ${name}: finite metrics`);
      opt.dispose();
      model.dispose();
    }
    loader.dispose();
    loader3.dispose();
    tf.dispose([x, y, x3, y3]);
    assert.equal(tf.memory().numTensors, start, `${backend}: everything freed`);
  });
}
