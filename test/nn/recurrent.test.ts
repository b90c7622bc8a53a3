import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { constant_ } from '../../src/lib/nn/init.js';
import { Sequential } from '../../src/lib/nn/layers.js';
import { Tanh } from '../../src/lib/nn/activations.js';
import { GRU, LSTM, RNN, RNNBase, type RecurrentOptions, type RNNOptions } from '../../src/lib/nn/recurrent.js';
import { Generator, manualSeed, rand, randn, uniformValues } from '../../src/lib/random/torch-generator.js';
import { fixture } from '../helpers/paths.js';
import { assertClose, lossWeights, testBackends } from './helpers.js';

interface Arr {
  shape: number[];
  values: number[];
}
interface Case {
  class: 'RNN' | 'LSTM' | 'GRU';
  args: [number, number];
  kwargs: { num_layers?: number; nonlinearity?: 'tanh' | 'relu'; bias?: boolean; batch_first?: boolean; bidirectional?: boolean };
  seed: number;
  init: Record<string, number[]>;
  x: Arr;
  h0?: Arr;
  c0?: Arr;
  out: Arr;
  h_n: Arr;
  c_n?: Arr;
  loss: number;
  grads: Record<string, number[]>;
}

const ref = fixture<{ cases: Record<string, Case>; big: Record<string, any> }>('nn', 'recurrent.json');
const i2dlConstant = fixture('nn', 'i2dl-constant.json');
const backends = await testBackends();

function options(c: Case): RNNOptions {
  const k = c.kwargs;
  const o: RNNOptions = {};
  if (k.num_layers !== undefined) o.numLayers = k.num_layers;
  if (k.nonlinearity !== undefined) o.nonlinearity = k.nonlinearity;
  if (k.bias !== undefined) o.bias = k.bias;
  if (k.batch_first !== undefined) o.batchFirst = k.batch_first;
  if (k.bidirectional !== undefined) o.bidirectional = k.bidirectional;
  return o;
}

function build(c: Case): RNN | LSTM | GRU {
  manualSeed(c.seed);
  const [d, h] = c.args;
  if (c.class === 'RNN') return new RNN(d, h, options(c));
  const { nonlinearity: _, ...rest } = options(c);
  return c.class === 'LSTM' ? new LSTM(d, h, rest) : new GRU(d, h, rest);
}

const t = (a: Arr) => tf.tensor(a.values, a.shape, 'float32');

/** Runs the module; returns [output, hN, cN | null]. */
function forward(m: RNN | LSTM | GRU, x: tf.Tensor, h0: tf.Tensor | null, c0: tf.Tensor | null): [tf.Tensor, tf.Tensor, tf.Tensor | null] {
  if (m instanceof LSTM) {
    const [out, [h, c]] = m.call(x, h0 && c0 ? [h0, c0] : undefined);
    return [out, h, c];
  }
  const [out, h] = m.call(x, h0);
  return [out, h, null];
}

function fixtureLoss(out: tf.Tensor, h: tf.Tensor, c: tf.Tensor | null): tf.Scalar {
  const part = (y: tf.Tensor) => tf.sum(tf.mul(y.reshape([-1]), tf.tensor1d(lossWeights(y.size))));
  let loss = tf.add(part(out), part(h));
  if (c) loss = tf.add(loss, part(c));
  return loss as tf.Scalar;
}

for (const { name: backend, skip } of backends) {
  describe(`recurrent layers on ${backend}`, { skip }, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend), `backend ${backend}`);
    });

    for (const [name, c] of Object.entries(ref.cases)) {
      test(`${name}: manualSeed(${c.seed}) + new ${c.class}(...) gives PyTorch's parameters bit for bit, in PyTorch's order`, () => {
        const m = build(c);
        const named = m.namedParameters();
        assert.deepEqual(named.map(([n]) => n), Object.keys(c.init));
        assert.deepEqual([...m.flatWeightsNames], Object.keys(c.init));
        for (const [n, v] of named) assert.deepEqual(Array.from(v.dataSync()), c.init[n]!.map(Math.fround), n);
        m.dispose();
      });

      test(`${name}: output, h_n${c.c_n ? ', c_n' : ''} match PyTorch to 1e-5`, () => {
        const m = build(c);
        const [x, h0, c0] = [t(c.x), c.h0 ? t(c.h0) : null, c.c0 ? t(c.c0) : null];
        const [out, h, cc] = forward(m, x, h0, c0);
        assert.deepEqual(out.shape, c.out.shape, 'output shape');
        assert.deepEqual(h.shape, c.h_n.shape, 'h_n shape');
        assertClose(out, c.out.values, 1e-5, 0, 'output');
        assertClose(h, c.h_n.values, 1e-5, 0, 'h_n');
        if (c.c_n) {
          assert.ok(cc);
          assert.deepEqual(cc.shape, c.c_n.shape, 'c_n shape');
          assertClose(cc, c.c_n.values, 1e-5, 0, 'c_n');
        }
        // forward() / apply() return the output only (with zero initial states)
        if (!c.h0) assertClose(m.apply(x), c.out.values, 1e-5, 0, 'apply(x)');
        else assertClose(m.apply(x), forward(m, x, null, null)[0].dataSync(), 0, 0, 'apply(x) = call(x)[0]');
        tf.dispose([x, h0, c0, out, h, cc].filter((e): e is tf.Tensor => e !== null));
        m.dispose();
      });

      test(`${name}: gradients of a scalar loss w.r.t. every parameter and the inputs match PyTorch to 1e-4, without leaks`, () => {
        const m = build(c);
        const x = t(c.x);
        const h0 = c.h0 ? t(c.h0) : null;
        const c0 = c.c0 ? t(c.c0) : null;
        const before = tf.memory().numTensors;
        const { value, grads } = tf.variableGrads(() => fixtureLoss(...forward(m, x, h0, c0)), m.parameters());
        assert.ok(Math.abs(value.dataSync()[0]! - c.loss) <= 1e-4 * Math.max(1, Math.abs(c.loss)), `loss ${value.dataSync()[0]} vs ${c.loss}`);
        for (const [n, v] of m.namedParameters()) {
          const g = grads[v.name];
          assert.ok(g, `no gradient for ${n}`);
          assert.deepEqual(g.shape, v.shape, `${n}: gradient shape`);
          assertClose(g, c.grads[n]!, 1e-4, 1e-4, `d loss / d ${n}`);
        }
        value.dispose();
        tf.dispose(Object.values(grads));
        // inputs: x and the initial states
        const inputs = [x, h0, c0].filter((e): e is tf.Tensor => e !== null);
        const names = ['x', 'h0', 'c0'].slice(0, inputs.length);
        const gIn = tf.grads((...xs: tf.Tensor[]) => fixtureLoss(...forward(m, xs[0]!, xs[1] ?? null, xs[2] ?? null)))(inputs);
        gIn.forEach((g, i) => {
          assert.deepEqual(g.shape, inputs[i]!.shape, `${names[i]}: gradient shape`);
          assertClose(g, c.grads[names[i]!]!, 1e-4, 1e-4, `d loss / d ${names[i]}`);
        });
        tf.dispose(gIn);
        // a forward and backward pass inside tf.tidy leaves nothing behind
        tf.tidy(() => {
          const { value: v2, grads: g2 } = tf.variableGrads(() => fixtureLoss(...forward(m, x, h0, c0)), m.parameters());
          tf.dispose([v2, ...Object.values(g2)]);
        });
        assert.equal(tf.memory().numTensors, before, 'tensors leaked by forward + backward');
        tf.dispose(inputs);
        m.dispose();
      });
    }
  });
}

describe('recurrent layers (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const cls of ['RNN', 'LSTM', 'GRU'] as const) {
    test(`the exercise sheet's ${cls}(28, 128, 2 layers): initial parameters and the generator state afterwards as in PyTorch`, () => {
      manualSeed(0);
      const C = { RNN, LSTM, GRU }[cls];
      const m = new C(28, 128, { numLayers: 2, batchFirst: true });
      const want = ref.big[cls];
      assert.deepEqual(m.namedParameters().map(([n]) => n), Object.keys(want));
      for (const [n, v] of m.namedParameters()) {
        const w = want[n];
        const vals = v.dataSync();
        assert.deepEqual(v.shape, w.shape, n);
        assert.deepEqual(Array.from(vals.slice(0, 8)), w.first.map(Math.fround), `${n} first values`);
        assert.deepEqual(Array.from(vals.slice(-8)), w.last.map(Math.fround), `${n} last values`);
        const sum = Array.from(vals).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - w.sum) < 1e-9, `${n}: sum ${sum} vs ${w.sum}`);
      }
      assert.deepEqual(Array.from(rand(4).dataSync()), ref.big[`${cls}_after`].map(Math.fround), 'torch.rand(4) after the constructor');
      m.dispose();
    });
  }

  for (const cls of ['RNN', 'LSTM'] as const) {
    test(`the I2DL exercise's check: ${cls}(3, 3) with every parameter constant_(p, 0.3) matches nn.${cls} (squared difference < 1e-10)`, () => {
      const r = i2dlConstant[cls];
      manualSeed(r.seed);
      const m = cls === 'RNN' ? new RNN(3, 3) : new LSTM(3, 3);
      for (const p of m.parameters()) constant_(p, 0.3);
      for (const p of m.parameters()) assert.ok(Array.from(p.dataSync()).every((v) => v === Math.fround(0.3)));
      const X = randn([10, 1, 3]);
      assertClose(X, r.X, 1e-6, 0, 'X = randn(10, 1, 3) after the constructor');
      const [out, h] = m instanceof LSTM ? [m.call(X)[0], m.call(X)[1][0]] : m.call(X);
      assert.deepEqual(out.shape, [10, 1, 3]);
      const diff = tf.sum(tf.square(tf.sub(out, tf.tensor(r.out, [10, 1, 3])))).dataSync()[0]!;
      assert.ok(diff < 1e-10, `sum of squared differences ${diff}`);
      assertClose(h, r.h, 1e-6, 0, 'h_n');
      m.dispose();
    });
  }

  test('parameters: typed layer-0 fields, getParameter, allWeights; bias: false has no biases', () => {
    const m = new LSTM(3, 4, { numLayers: 2 });
    assert.deepEqual(m.weight_ih_l0.shape, [16, 3]);
    assert.deepEqual(m.weight_hh_l0.shape, [16, 4]);
    assert.deepEqual(m.bias_ih_l0?.shape, [16]);
    assert.equal(m.getParameter('weight_ih_l1'), (m as unknown as Record<string, tf.Variable>)['weight_ih_l1']);
    assert.deepEqual(m.getParameter('weight_ih_l1').shape, [16, 4]);
    assert.throws(() => m.getParameter('weight_ih_l2'), /no parameter 'weight_ih_l2'/);
    assert.deepEqual(m.allWeights.map((ws) => ws.map((w) => w.shape)), [[[16, 3], [16, 4], [16], [16]], [[16, 4], [16, 4], [16], [16]]]);
    assert.equal(m.numParameters(), 16 * 3 + 16 * 4 + 32 + 16 * 4 + 16 * 4 + 32);
    const nb = new GRU(2, 3, { bias: false, bidirectional: true });
    assert.deepEqual(nb.flatWeightsNames, ['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l0_reverse', 'weight_hh_l0_reverse']);
    assert.equal(nb.bias_ih_l0, undefined);
    assert.equal(nb.numDirections, 2);
    // a model with a recurrent child: dotted names as in PyTorch
    const model = new Sequential({ rnn: new RNN(2, 3), act: new Tanh() });
    assert.deepEqual(model.namedParameters().map(([n]) => n), ['rnn.weight_ih_l0', 'rnn.weight_hh_l0', 'rnn.bias_ih_l0', 'rnn.bias_hh_l0']);
    assert.deepEqual(model.apply(tf.ones([4, 5, 2])).shape, [4, 5, 3]);
    m.dispose();
    nb.dispose();
    model.dispose();
  });

  test('resetParameters redraws from the generator in registration order, U(-1/sqrt(H), 1/sqrt(H))', () => {
    const m = new GRU(3, 5, { generator: new Generator(1) });
    const first = m.parameters().map((p) => Array.from(p.dataSync()));
    const g = new Generator(1);
    m.resetParameters(g);
    assert.deepEqual(m.parameters().map((p) => Array.from(p.dataSync())), first);
    const bound = 1 / Math.sqrt(5);
    for (const p of first) assert.ok(p.every((v) => v >= -bound && v < bound));
    // the same values as drawing one parameter after the other
    const g2 = new Generator(1);
    for (const p of m.parameters()) assert.deepEqual(Array.from(p.dataSync()), Array.from(uniformValues(p.size, -bound, bound, g2)));
    m.dispose();
  });

  test('errors: input rank, input size, dtype, initial state rank and shape, options', () => {
    const rnn = new RNN(3, 4, { numLayers: 2 });
    assert.throws(() => rnn.call(tf.zeros([2, 3, 4, 3])), /RNN: Expected input to be 2-D or 3-D but received 4-D tensor/);
    assert.throws(() => rnn.call(tf.zeros([5])), /Expected input to be 2-D or 3-D but received 1-D/);
    assert.throws(() => rnn.call(tf.zeros([5, 2, 4])), /input.size\(-1\) must be equal to input_size. Expected 3, got 4/);
    assert.throws(() => rnn.call(tf.zeros([5, 2, 3], 'int32')), /must be float32, got int32/);
    assert.throws(() => rnn.call(tf.zeros([5, 2, 3]), tf.zeros([1, 2, 4])), /Expected hidden size \[2, 2, 4\], got \[1, 2, 4\]/);
    assert.throws(() => rnn.call(tf.zeros([5, 2, 3]), tf.zeros([2, 4])), /For batched 3-D input, hidden should also be 3-D but got 2-D/);
    assert.throws(() => rnn.call(tf.zeros([5, 3]), tf.zeros([2, 1, 4])), /For unbatched 2-D input, hidden should also be 2-D but got 3-D/);
    assert.throws(() => rnn.call(tf.zeros([0, 2, 3])), /sequence is empty/);
    const lstm = new LSTM(3, 4, { batchFirst: true });
    assert.throws(() => lstm.call(tf.zeros([2, 5, 3]), [tf.zeros([1, 2, 4]), tf.zeros([1, 3, 4])]), /LSTM: Expected hidden\[1\] size \[1, 2, 4\], got \[1, 3, 4\]/);
    assert.throws(() => lstm.call(tf.zeros([2, 5, 3]), [tf.zeros([1, 5, 4]), tf.zeros([1, 2, 4])]), /LSTM: Expected hidden\[0\] size \[1, 2, 4\], got \[1, 5, 4\]/);
    assert.throws(() => lstm.call(tf.zeros([2, 5, 3]), tf.zeros([1, 2, 4]) as unknown as [tf.Tensor, tf.Tensor]), /pair \[h0, c0\]/);
    assert.throws(() => new RNN(3, 4, { nonlinearity: 'sigmoid' as 'tanh' }), /Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'/);
    assert.throws(() => new GRU(3, 4, { dropout: 1.5 }), /dropout should be a number in range \[0, 1\]/);
    assert.throws(() => new GRU(3, 0), /hiddenSize must be an integer >= 1/);
    assert.throws(() => new LSTM(3, 4, { numLayers: 0 }), /numLayers must be an integer >= 1/);
    assert.throws(() => new LSTM(2.5, 4), /inputSize must be an integer/);
    rnn.dispose();
    lstm.dispose();
  });

  test('call() and apply() keep only what they return', () => {
    for (const m of [new RNN(3, 4, { numLayers: 2, bidirectional: true }), new LSTM(3, 4, { numLayers: 2 }), new GRU(3, 4, { batchFirst: true })] as RNNBase[]) {
      const x = tf.randomNormal([6, 2, 3]);
      const before = tf.memory().numTensors;
      const y = m.apply(x);
      assert.equal(tf.memory().numTensors, before + 1, `${m.constructor.name}.apply`);
      const res = m instanceof LSTM ? m.call(x) : (m as RNN).call(x);
      const kept = tf.memory().numTensors - before - 1;
      assert.equal(kept, m instanceof LSTM ? 3 : 2, `${m.constructor.name}.call keeps its outputs only`);
      tf.dispose([y, res as tf.TensorContainer]);
      assert.equal(tf.memory().numTensors, before);
      x.dispose();
      m.dispose();
    }
  });

  test('dropout: off in eval mode; in training mode masks every layer output but the last, drawn from the generator', () => {
    const opts: RecurrentOptions = { numLayers: 2, dropout: 0.4, generator: new Generator(3) };
    const m = new LSTM(3, 4, opts);
    const plain = new LSTM(3, 4, { numLayers: 2 });
    plain.parameters().forEach((p, i) => p.assign(m.parameters()[i]!));
    const x = tf.randomNormal([5, 2, 3], 0, 1, 'float32', 1);
    assert.equal(m.training, true, 'modules start in training mode, as in PyTorch');
    m.eval();
    assert.equal(m.training, false);
    assertClose(m.apply(x), plain.apply(x).dataSync(), 0, 0, 'eval mode: no dropout');

    // training mode: the same as running layer 0, masking its output, then layer 1
    m.train();
    const state = opts.generator!.getState();
    const [out, [hN, cN]] = m.call(x);
    const g = new Generator();
    g.setState(state);
    const l0 = new LSTM(3, 4);
    const l1 = new LSTM(4, 4);
    l0.parameters().forEach((p, i) => p.assign(m.parameters()[i]!));
    l1.parameters().forEach((p, i) => p.assign(m.parameters()[i + 4]!));
    const [o0, [h0, c0]] = l0.call(x);
    const u = uniformValues(o0.size, 0, 1, g);
    const mask = tf.tensor(Array.from(u, (v) => (v < 0.6 ? 1 / 0.6 : 0)), o0.shape);
    const [o1, [h1, c1]] = l1.call(tf.mul(o0, mask));
    assertClose(out, o1.dataSync(), 1e-6, 0, 'output');
    assertClose(hN, tf.concat([h0, h1]).dataSync(), 1e-6, 0, 'h_n');
    assertClose(cN, tf.concat([c0, c1]).dataSync(), 1e-6, 0, 'c_n');
    const zeros = Array.from(mask.dataSync()).filter((v) => v === 0).length;
    assert.ok(zeros > 0 && zeros < mask.size, `the mask drops some values (${zeros} of ${mask.size})`);
    // a second training pass draws a new mask
    assert.ok(Math.abs(tf.sum(tf.sub(m.apply(x), out)).dataSync()[0]!) > 0, 'a new mask every call');
    // Sequential passes train()/eval() on to its children
    const seq = new Sequential(m);
    seq.eval();
    assert.equal(m.training, false);
    for (const mod of [m, plain, l0, l1]) mod.dispose();
  });
});
