import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hasSequenceKernel, RECURRENT_GATES as RNN_GATES, recurrentSequence, type RecurrentMode as RnnMode } from '../../src/lib/ops/recurrent.js';
import { compare, compareWith, runOn, skip, type Spec } from './helpers.js';

/** The same layer written step by step with tfjs ops (PyTorch's equations), time-major. */
function reference(mode: RnnMode, proj: tf.Tensor, wHh: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor | null, bHh: tf.Tensor | null, reverse: boolean) {
  const [T, N, G] = proj.shape as [number, number, number];
  // slices, not tf.unstack: tfjs's Unpack gradient fails for a single step (it gets a tensor, not a list)
  const ps = Array.from({ length: T }, (_, t) => tf.reshape(tf.slice(proj, [t, 0, 0], [1, N, G]), [N, G]));
  const wT = tf.transpose(wHh);
  let h = h0;
  let c = c0;
  const outs: tf.Tensor[] = new Array<tf.Tensor>(T);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    if (mode === 'GRU') {
      const hh = bHh ? tf.add(tf.matMul(h, wT), bHh) : tf.matMul(h, wT);
      const [pr, pz, pn] = tf.split(ps[t]!, 3, 1);
      const [hr, hz, hn] = tf.split(hh, 3, 1);
      const r = tf.sigmoid(tf.add(pr!, hr!));
      const z = tf.sigmoid(tf.add(pz!, hz!));
      const n = tf.tanh(tf.add(pn!, tf.mul(r, hn!)));
      h = tf.add(tf.mul(tf.sub(h, n), z), n);
    } else {
      const a = tf.add(ps[t]!, tf.matMul(h, wT));
      if (mode === 'LSTM') {
        const [i, f, g, o] = tf.split(a, 4, 1);
        c = tf.add(tf.mul(tf.sigmoid(f!), c!), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
        h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
      } else {
        h = mode === 'RNN_RELU' ? tf.relu(a) : tf.tanh(a);
      }
    }
    outs[t] = h;
  }
  return { output: tf.stack(outs), h, c };
}

interface Case {
  mode: RnnMode;
  T: number;
  N: number;
  H: number;
  reverse: boolean;
  /** which outputs the loss uses */
  use: 'all' | 'output' | 'h' | 'c';
  bias?: boolean;
}

const CASES: Case[] = [];
for (const mode of ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'] as const) {
  for (const reverse of [false, true]) {
    CASES.push({ mode, T: 6, N: 3, H: 5, reverse, use: 'all' });
  }
  CASES.push({ mode, T: 1, N: 2, H: 4, reverse: false, use: 'all' });
  CASES.push({ mode, T: 4, N: 1, H: 3, reverse: false, use: 'output' });
  CASES.push({ mode, T: 4, N: 2, H: 3, reverse: true, use: 'h' });
  CASES.push({ mode, T: 28, N: 8, H: 16, reverse: false, use: 'all' });
}
CASES.push({ mode: 'LSTM', T: 5, N: 2, H: 3, reverse: false, use: 'c' });
CASES.push({ mode: 'GRU', T: 5, N: 2, H: 3, reverse: true, use: 'all', bias: false });

test('the fused recurrent kernels match the step-by-step tfjs ops (cpu): outputs and every gradient', { skip }, async () => {
  let seed = 1;
  for (const c of CASES) {
    const G = RNN_GATES[c.mode] * c.H;
    const lstm = c.mode === 'LSTM';
    const gru = c.mode === 'GRU';
    const bias = gru && c.bias !== false;
    const specs: Spec[] = [
      { shape: [c.T, c.N, G], seed: seed++, scale: 1.5 },
      { shape: [G, c.H], seed: seed++, scale: 1 / Math.sqrt(c.H) },
      { shape: [c.N, c.H], seed: seed++, scale: 0.5 },
      { shape: [c.N, c.H], seed: seed++, scale: 0.5 }, // c0 (LSTM)
      { shape: [G], seed: seed++, scale: 0.3 }, // bHh (GRU)
      // weights of the outputs in the loss
      { shape: [c.T, c.N, c.H], seed: seed++ },
      { shape: [c.N, c.H], seed: seed++ },
      { shape: [c.N, c.H], seed: seed++ },
    ];
    const label = `${c.mode} T=${c.T} N=${c.N} H=${c.H}${c.reverse ? ' reverse' : ''} loss on ${c.use}${bias || !gru ? '' : ' no bias'}`;
    await compare(label, specs, (proj, wHh, h0, c0, bHh, r1, r2, r3) => {
      const onBlas = tf.getBackend() === 'blas';
      if (onBlas) assert.ok(hasSequenceKernel(c.mode));
      const run = (p: tf.Tensor, w: tf.Tensor, h: tf.Tensor, cc: tf.Tensor | null, b: tf.Tensor | null) =>
        onBlas ? recurrentSequence(c.mode, p, w, h, cc, b, c.reverse) : reference(c.mode, p, w, h, cc, b, c.reverse);
      const xs = [proj!, wHh!, h0!, ...(lstm ? [c0!] : []), ...(bias ? [bHh!] : [])];
      const loss = (...v: tf.Tensor[]) => {
        const [p, w, h] = v as [tf.Tensor, tf.Tensor, tf.Tensor];
        const cc = lstm ? v[3]! : null;
        const b = bias ? v[lstm ? 4 : 3]! : null;
        const r = run(p, w, h, cc, b);
        const terms: tf.Tensor[] = [];
        if (c.use === 'all' || c.use === 'output') terms.push(tf.sum(tf.mul(r.output, r1!)));
        if (c.use === 'all' || c.use === 'h') terms.push(tf.sum(tf.mul(r.h, r2!)));
        if (lstm && (c.use === 'all' || c.use === 'c')) terms.push(tf.sum(tf.mul(r.c!, r3!)));
        return tf.addN(terms) as tf.Scalar;
      };
      const grads = tf.grads(loss)(xs);
      const r = run(xs[0]!, xs[1]!, xs[2]!, lstm ? xs[3]! : null, bias ? xs[lstm ? 4 : 3]! : null);
      return [r.output, r.h, ...(r.c ? [r.c] : []), ...grads];
    }, { atol: 2e-5, rtol: 2e-4 });
  }
});

test('the fused kernels free what they keep for the backward pass, and run without gradients', { skip }, async () => {
  await tf.setBackend('blas');
  const before = tf.memory().numTensors;
  const proj = tf.randomNormal([5, 2, 12]);
  const w = tf.tidy(() => tf.variable(tf.randomNormal([12, 3])));
  const h0 = tf.zeros([2, 3]);
  const c0 = tf.zeros([2, 3]);
  // inference: only the returned tensors remain
  const r = recurrentSequence('LSTM', proj, w, h0, c0, null, false);
  assert.deepEqual(r.output.shape, [5, 2, 3]);
  assert.deepEqual(r.h.shape, [2, 3]);
  assert.deepEqual(r.c!.shape, [2, 3]);
  // h is the last step of the output
  const last = r.output.slice([4, 0, 0], [1, 2, 3]);
  assert.deepEqual(Array.from(r.h.dataSync()), Array.from(last.dataSync()));
  last.dispose();
  tf.dispose([r.output, r.h, r.c!]);
  // training: the saved tensors go away with the gradient computation
  const { value, grads } = tf.variableGrads(() => tf.sum(recurrentSequence('LSTM', proj, w, h0, c0, null, true).output) as tf.Scalar, [w]);
  assert.deepEqual(grads[w.name]!.shape, [12, 3]);
  tf.dispose([value, ...Object.values(grads)]);
  tf.dispose([proj, w, h0, c0]);
  assert.equal(tf.memory().numTensors, before);
});

test('without a sequence kernel (cpu), the recurrent op runs tfjs ops: same outputs and gradients as the step-by-step reference', async () => {
  await tf.setBackend('cpu');
  let seed = 500;
  for (const mode of ['RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'] as const) {
    assert.equal(hasSequenceKernel(mode), false, `cpu has no ${mode} sequence kernel`);
    for (const reverse of [false, true]) {
      const G = RNN_GATES[mode] * 4;
      const specs: Spec[] = [
        { shape: [5, 3, G], seed: seed++, scale: 1.5 },
        { shape: [G, 4], seed: seed++, scale: 0.5 },
        { shape: [3, 4], seed: seed++, scale: 0.5 },
        { shape: [3, 4], seed: seed++, scale: 0.5 },
        { shape: [G], seed: seed++, scale: 0.3 },
        { shape: [5, 3, 4], seed: seed++ },
      ];
      const lstm = mode === 'LSTM';
      const gru = mode === 'GRU';
      const make = (impl: typeof reference) => (proj: tf.Tensor, wHh: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor, bHh: tf.Tensor, r1: tf.Tensor) => {
        const f = (p: tf.Tensor, w: tf.Tensor, h: tf.Tensor, extra?: tf.Tensor) => {
          const r = impl(mode, p, w, h, lstm ? extra! : null, gru ? extra! : null, reverse);
          return tf.add(tf.sum(tf.mul(r.output, r1)), lstm ? tf.sum(r.c!) : tf.sum(r.h)) as tf.Scalar;
        };
        const r = impl(mode, proj, wHh, h0, lstm ? c0 : null, gru ? bHh : null, reverse);
        const xs = [proj, wHh, h0, ...(lstm ? [c0] : gru ? [bHh] : [])];
        return [r.output, r.h, ...(r.c ? [r.c] : []), ...tf.grads(f as (...a: tf.Tensor[]) => tf.Scalar)(xs)];
      };
      const want = await runOn('cpu', specs, make(reference) as (...xs: tf.Tensor[]) => tf.Tensor[]);
      const got = await runOn('cpu', specs, make(recurrentSequence) as (...xs: tf.Tensor[]) => tf.Tensor[]);
      compareWith(`${mode}${reverse ? ' reverse' : ''} op on cpu`, want, got, { atol: 1e-6, rtol: 1e-5 });
    }
  }
});
