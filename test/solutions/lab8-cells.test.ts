import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { allclose, maxAbsDiff } from '../../src/lib/nn/functional.js';
import { Module } from '../../src/lib/nn/module.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { GRU, LSTM, VanillaRNN, lab8Cells } from '../../src/solutions/index.js';
import { lcgMatrix, referenceForward, type CellParams } from './lab8-reference.js';
import { fixture } from '../helpers/paths.js';

const seedOut = fixture('lab8', 'seed_outputs.json');
const torchRef = fixture('lab8', 'cells.json');
const TYPES = ['vanilla', 'gru', 'lstm'] as const;
const K = { vanilla: 1, gru: 3, lstm: 4 } as const;

for (const type of TYPES) {
  test(`${type}: manualSeed(123) + new Cell(4, 10) reproduces the notebook's y_expected (atol 1e-4)`, () => {
    manualSeed(123);
    const model = new lab8Cells[type](4, 10);
    const x = tf.tensor3d(seedOut.x);
    const y = model.apply(x);
    assert.deepEqual(y.shape, [2, 3, 10]);
    assert.ok(allclose(y, tf.tensor3d(seedOut[type]), { atol: 1e-4 }), `max |y - y_expected| = ${maxAbsDiff(y, tf.tensor3d(seedOut[type]).dataSync())}`);
    // and PyTorch's full-precision output (float32 rounding only)
    assert.ok(maxAbsDiff(y, torchRef[type].y) < 1e-6, `max |y - torch| = ${maxAbsDiff(y, torchRef[type].y)}`);
    model.dispose();
  });

  test(`${type}: parameters named, shaped and initialised as in PyTorch`, () => {
    manualSeed(123);
    const model = new lab8Cells[type](4, 10);
    const named = model.namedParameters();
    assert.deepEqual(named.map(([n]) => n), ['weight_xh', 'weight_hh', 'bias_xh', 'bias_hh']);
    const kH = K[type] * 10;
    assert.deepEqual(named.map(([, v]) => v.shape), [[4, kH], [10, kH], [kH], [kH]]);
    for (const [n, v] of named) assert.deepEqual(Array.from(v.dataSync()), torchRef[type].params[n].map(Math.fround), n);
    assert.equal(model.numParameters(), K[type] * 10 * (4 + 10 + 2));
    model.dispose();
  });

  test(`${type}: output shape [M, T, H] for other sizes, and no tensors left behind`, () => {
    const model = new lab8Cells[type](3, 6);
    const x = tf.randomNormal([5, 7, 3]);
    const before = tf.memory().numTensors;
    const y = model.apply(x);
    assert.deepEqual(y.shape, [5, 7, 6]);
    y.dispose();
    assert.equal(tf.memory().numTensors, before, 'apply() keeps only its output');
    x.dispose();
    model.dispose();
  });

  test(`${type}: every parameter receives a non-zero gradient`, () => {
    manualSeed(7);
    const model = new lab8Cells[type](2, 5);
    const x = tf.randomNormal([4, 6, 2], 0, 1, 'float32', 3);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(model.apply(x))) as tf.Scalar, model.parameters());
    for (const [n, v] of model.namedParameters()) {
      const g = grads[v.name];
      assert.ok(g, `${n} has no gradient`);
      assert.deepEqual(g.shape, v.shape);
      const norm = tf.norm(g).dataSync()[0]!;
      assert.ok(norm > 1e-6 && Number.isFinite(norm), `${n}: gradient norm ${norm}`);
      // every entry of every parameter takes part in the computation
      assert.ok(Array.from(g.dataSync()).every((e) => e !== 0), `${n}: some gradient entries are exactly zero`);
    }
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    x.dispose();
    model.dispose();
  });

  test(`${type}: agrees with a plain-loop Float64 implementation of the formulas`, () => {
    for (const [M, T, D, H, seed] of [[3, 5, 2, 4, 1], [2, 9, 1, 7, 2], [1, 3, 4, 10, 3]] as const) {
      const model = new lab8Cells[type](D, H) as Module & Record<keyof CellParams, tf.Variable>;
      const kH = K[type] * H;
      const p: CellParams = {
        weight_xh: lcgMatrix(D, kH, seed, 0.8),
        weight_hh: lcgMatrix(H, kH, seed + 10, 0.8),
        bias_xh: lcgMatrix(1, kH, seed + 20, 0.5)[0]!,
        bias_hh: lcgMatrix(1, kH, seed + 30, 0.5)[0]!,
      };
      for (const k of ['weight_xh', 'weight_hh', 'bias_xh', 'bias_hh'] as const) model[k].assign(tf.tensor(p[k]));
      const x = lcgMatrix(M * T, D, seed + 40, 2);
      const x3 = Array.from({ length: M }, (_, m) => x.slice(m * T, (m + 1) * T));
      const want = referenceForward(type, p, x3, H).flat(2);
      const got = model.apply(tf.tensor3d(x3));
      assert.deepEqual(got.shape, [M, T, H]);
      const d = maxAbsDiff(got, want);
      assert.ok(d < 1e-5, `M=${M} T=${T} D=${D} H=${H}: max difference ${d}`);
      model.dispose();
    }
  });
}

test('the three classes are exported under the notebook names', () => {
  assert.equal(lab8Cells.vanilla, VanillaRNN);
  assert.equal(lab8Cells.gru, GRU);
  assert.equal(lab8Cells.lstm, LSTM);
});
