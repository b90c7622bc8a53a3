/**
 * One recurrent layer in one direction over a whole sequence as a tfjs op, for the library's `RNN`,
 * `LSTM` and `GRU` (../nn/recurrent.ts), with PyTorch's equations and gate order (1.13):
 *
 *   RNN_TANH / RNN_RELU: h' = act(p_t + W_hh h)                         (p_t = W_ih x_t + b_ih + b_hh)
 *   LSTM: [i|f|g|o] = p_t + W_hh h; i, f, o = sigmoid, g = tanh;
 *         c' = f * c + i * g;  h' = o * tanh(c')                        (p_t = W_ih x_t + b_ih + b_hh)
 *   GRU:  [hr|hz|hn] = W_hh h + b_hh;  r = sigmoid(p_r + hr);  z = sigmoid(p_z + hz);
 *         n = tanh(p_n + r * hn);  h' = (h - n) * z + n                 (p_t = W_ih x_t + b_ih)
 *
 * `recurrentLayer` computes the input projection p of all steps with one matrix product (tfjs ops,
 * so its gradient is tfjs's), then the steps: as one kernel where the active backend registers the
 * sequence kernels below (the blas backends: one sgemm per step and its own backward pass,
 * src/lib/blas/rnn.ts), else as tfjs ops, one matrix product and a few elementwise ops per step.
 * Backend-neutral: this module knows no backend, it asks tfjs whether the active one has the kernel.
 *
 * The kernels' contract. Forward kernels (one per input signature; RNN_TANH / RNN_RELU share one):
 * inputs proj [T, N, G] (G = gates * H), wHh [G, H] (PyTorch's layout), h0 [N, H], c0 [N, H]
 * (LSTM), bHh [G] (GRU); attrs { mode, reverse } (reverse: the steps run from T - 1 down to 0).
 * Outputs: out [T, N, H] (h at every step, in time order), hN [N, H], then cN [N, H] (LSTM), then
 * what the backward pass needs: LSTM gates [T, N, 4H] (activated i, f, g, o), cs [T, N, H] (c),
 * tcs [T, N, H] (tanh c); GRU gates [T, N, 3H] (r, z, n), hhn [T, N, H] (W_hn h + b_hn).
 * The backward kernel RECURRENT_SEQ_GRAD: inputs dOut, dhN, dcN (LSTM; each may be left out,
 * meaning zeros), wHh, h0, c0 (LSTM), out and the saved outputs (gates, cs, tcs / gates, hhn);
 * outputs dproj [T, N, G], dwHh [G, H], dh0 [N, H], then dc0 (LSTM) or dbHh (GRU). The gradients
 * of the forward kernels (registered here, for every backend) call it.
 */
import * as tf from '@tensorflow/tfjs';

export type RecurrentMode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
/** Gates per mode: the rows of W_ih and W_hh are gates * H. */
export const RECURRENT_GATES: Readonly<Record<RecurrentMode, number>> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

/** The forward kernels' names. */
export const RNN_SEQ = 'RnnSequence';
export const LSTM_SEQ = 'LstmSequence';
export const GRU_SEQ = 'GruSequence';
/** The backward kernel of all three. */
export const RECURRENT_SEQ_GRAD = 'RecurrentSequenceGrad';

const KERNEL: Readonly<Record<RecurrentMode, string>> = { RNN_TANH: RNN_SEQ, RNN_RELU: RNN_SEQ, LSTM: LSTM_SEQ, GRU: GRU_SEQ };

export interface RecurrentWeights {
  /** [G, Din] */
  wIh: tf.Tensor;
  /** [G, H] */
  wHh: tf.Tensor;
  /** [G] each, or both null (no bias) */
  bIh: tf.Tensor | null;
  bHh: tf.Tensor | null;
}

export interface RecurrentResult {
  /** The hidden state after every step, in time order, stacked along `timeAxis`: [T, N, H] or [N, T, H]. */
  output: tf.Tensor;
  /** The hidden state after the last step processed (step T - 1, or 0 when reverse): [N, H]. */
  h: tf.Tensor;
  /** The LSTM's cell state after the last step processed: [N, H] (null for RNN and GRU). */
  c: tf.Tensor | null;
}

/** Whether the active backend runs `mode`'s whole sequence as one kernel. */
export function hasSequenceKernel(mode: RecurrentMode): boolean {
  return tf.getKernel(KERNEL[mode], tf.getBackend()) !== undefined;
}

/**
 * One layer in one direction over time-major input [T, N, Din] from state h0 (and c0 for the LSTM),
 * both [N, H]. The output is stacked along `timeAxis` (1: batch-first).
 */
export function recurrentLayer(
  mode: RecurrentMode, input: tf.Tensor, w: RecurrentWeights, h0: tf.Tensor, c0: tf.Tensor | null, reverse: boolean, timeAxis: 0 | 1 = 0,
): RecurrentResult {
  const [T, N, Din] = input.shape as [number, number, number];
  const gh = w.wHh.shape[0]!;
  const isGru = mode === 'GRU';
  // b_hh joins b_ih in the projection, except in the GRU, whose b_hn sits inside r * (W_hn h + b_hn).
  const bias = w.bIh && w.bHh ? (isGru ? w.bIh : tf.add(w.bIh, w.bHh)) : undefined;
  const x2 = input.reshape([T * N, Din]);
  if (hasSequenceKernel(mode)) {
    const proj = tf.fused.matMul({ a: x2, b: w.wIh, transposeB: true, bias }).reshape([T, N, gh]);
    const r = recurrentSequence(mode, proj, w.wHh, h0, c0, isGru ? w.bHh : null, reverse);
    return { output: timeAxis === 1 ? tf.transpose(r.output, [1, 0, 2]) : r.output, h: r.h, c: r.c };
  }
  // Weights transposed once, so that every product is a plain [rows, k] x [k, cols] one (the fast
  // path of the wasm backend's XNNPACK matmul).
  const proj = tf.fused.matMul({ a: x2, b: tf.transpose(w.wIh), bias }).reshape([T, N, gh]);
  return stepByStep(mode, proj, tf.transpose(w.wHh), h0, c0, isGru ? w.bHh : null, reverse, timeAxis);
}

/**
 * The steps of one layer given its input projection proj [T, N, G]: the sequence kernel when the
 * active backend has it, else tfjs ops. bHh: the GRU's hidden-hidden bias [G] (null: none; ignored
 * by the other modes). The output is time-major [T, N, H].
 */
export function recurrentSequence(
  mode: RecurrentMode, proj: tf.Tensor, wHh: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor | null, bHh: tf.Tensor | null, reverse: boolean,
): RecurrentResult {
  if (mode === 'LSTM' && !c0) throw new Error('recurrentSequence: the LSTM needs c0');
  if (!hasSequenceKernel(mode)) return stepByStep(mode, proj, tf.transpose(wHh), h0, c0, bHh, reverse, 0);
  const attrs = { mode, reverse } as unknown as tf.NamedAttrMap;
  const e = tf.engine();
  // tidy frees the extra outputs kept for the backward pass (its saved copies stay alive)
  const [output, h, c] = tf.tidy(() => {
    if (mode === 'LSTM') return (e.runKernel(LSTM_SEQ, { proj, wHh, h0, c0: c0! }, attrs) as tf.Tensor[]).slice(0, 3);
    if (mode === 'GRU') {
      const b = bHh ?? tf.zeros([wHh.shape[0]!]);
      return (e.runKernel(GRU_SEQ, { proj, wHh, h0, bHh: b }, attrs) as tf.Tensor[]).slice(0, 2);
    }
    return (e.runKernel(RNN_SEQ, { proj, wHh, h0 }, attrs) as tf.Tensor[]).slice(0, 2);
  });
  return { output: output!, h: h!, c: c ?? null };
}

/**
 * `tf.unstack(t, 0)`, except for a size-1 dimension: tfjs 4.22's Unpack gradient breaks when the op
 * has a single output (the tape passes it one tensor instead of an array), so that case reshapes.
 */
export function unstack0(t: tf.Tensor): tf.Tensor[] {
  return t.shape[0] === 1 ? [t.reshape(t.shape.slice(1))] : tf.unstack(t, 0);
}

/** The steps with tfjs ops, given W_hh transposed ([H, G]). */
function stepByStep(
  mode: RecurrentMode, proj: tf.Tensor, wHhT: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor | null, bHh: tf.Tensor | null, reverse: boolean, timeAxis: 0 | 1,
): RecurrentResult {
  const T = proj.shape[0]!;
  const H = h0.shape[1]!;
  const outputs: tf.Tensor[] = new Array<tf.Tensor>(T);
  let h = h0;
  let c = c0;
  if (mode === 'GRU') {
    const [pRz, pN] = tf.split(proj, [2 * H, H], 2);
    const xRz = unstack0(pRz!);
    const xN = unstack0(pN!);
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const hh = tf.fused.matMul({ a: h, b: wHhT, bias: bHh ?? undefined });
      const [hRz, hN] = tf.split(hh, [2 * H, H], 1);
      const [r, z] = tf.split(tf.sigmoid(tf.add(xRz[t]!, hRz!)), 2, 1);
      const n = tf.tanh(tf.add(xN[t]!, tf.mul(r!, hN!)));
      // h' = (1 - z) * n + z * h
      h = tf.add(n, tf.mul(z!, tf.sub(h, n)));
      outputs[t] = h;
    }
    return { output: tf.stack(outputs, timeAxis), h, c: null };
  }
  const xs = unstack0(proj);
  for (let s = 0; s < T; s++) {
    const t = reverse ? T - 1 - s : s;
    const gates = tf.add(xs[t]!, tf.matMul(h, wHhT));
    if (mode === 'LSTM') {
      const [i, f, g, o] = tf.split(gates, 4, 1);
      c = tf.add(tf.mul(tf.sigmoid(f!), c!), tf.mul(tf.sigmoid(i!), tf.tanh(g!)));
      h = tf.mul(tf.sigmoid(o!), tf.tanh(c));
    } else {
      h = mode === 'RNN_RELU' ? tf.relu(gates) : tf.tanh(gates);
    }
    outputs[t] = h;
  }
  return { output: tf.stack(outputs, timeAxis), h, c };
}

/**
 * The gradients of the three forward kernels: each runs the backward kernel once and hands out its
 * results; gradients of unused inputs are freed by the engine's backward scope. Gradients of
 * outputs outside the backward pass arrive as null (an engine that passes null for them instead
 * of allocating zeros, as the blas backend's does: an LSTM layer's saved gates alone are
 * [T, N, 4H]) or as zeros (tfjs's own engine); null ones are left out and the kernel takes zeros.
 */
function backward(inputs: Record<string, tf.Tensor | null>, attrs: tf.NamedAttrMap): tf.Tensor[] {
  const given: tf.NamedTensorMap = {};
  for (const [k, v] of Object.entries(inputs)) if (v) given[k] = v;
  return tf.engine().runKernel(RECURRENT_SEQ_GRAD, given, attrs) as tf.Tensor[];
}

tf.registerGradient({
  kernelName: RNN_SEQ,
  inputsToSave: ['wHh', 'h0'],
  outputsToSave: [true, false],
  gradFunc: (dy, saved, attrs) => {
    const [dOut, dhN] = dy as (tf.Tensor | null)[];
    const [wHh, h0, out] = saved as tf.Tensor[];
    const [dproj, dW, dh0] = backward({ dOut: dOut ?? null, dhN: dhN ?? null, wHh: wHh!, h0: h0!, out: out! }, attrs);
    return { proj: () => dproj!, wHh: () => dW!, h0: () => dh0! };
  },
});
tf.registerGradient({
  kernelName: LSTM_SEQ,
  inputsToSave: ['wHh', 'h0', 'c0'],
  outputsToSave: [true, false, false, true, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [dOut, dhN, dcN] = dy as (tf.Tensor | null)[];
    const [wHh, h0, c0, out, gates, cs, tcs] = saved as tf.Tensor[];
    const [dproj, dW, dh0, dc0] = backward({ dOut: dOut ?? null, dhN: dhN ?? null, dcN: dcN ?? null, wHh: wHh!, h0: h0!, c0: c0!, out: out!, gates: gates!, cs: cs!, tcs: tcs! }, attrs);
    return { proj: () => dproj!, wHh: () => dW!, h0: () => dh0!, c0: () => dc0! };
  },
});
tf.registerGradient({
  kernelName: GRU_SEQ,
  inputsToSave: ['wHh', 'h0'],
  outputsToSave: [true, false, true, true],
  gradFunc: (dy, saved, attrs) => {
    const [dOut, dhN] = dy as (tf.Tensor | null)[];
    const [wHh, h0, out, gates, hhn] = saved as tf.Tensor[];
    const [dproj, dW, dh0, db] = backward({ dOut: dOut ?? null, dhN: dhN ?? null, wHh: wHh!, h0: h0!, out: out!, gates: gates!, hhn: hhn! }, attrs);
    return { proj: () => dproj!, wHh: () => dW!, h0: () => dh0!, bHh: () => db! };
  },
});
