/**
 * `fusedRecurrent`: one recurrent layer in one direction over a whole sequence as one kernel of
 * the blas backend (./rnn.ts), with its gradient, for the library's `RNN` / `LSTM` / `GRU`
 * (src/lib/nn/recurrent.ts). Only usable when `fusedRecurrentAvailable()` (the blas backend is
 * active); the result equals the same equations written with tfjs ops (see test/blas/rnn.test.ts).
 *
 * This module loads no native code: the kernels are registered by ./index.ts together with the
 * rest of the blas backend.
 */
import * as tf from '@tensorflow/tfjs';
import { acceptNullGradients } from './engine.js';
import { GRU_SEQ, LSTM_SEQ, RNN_SEQ, RNN_SEQ_GRAD, type RnnMode } from './rnn.js';

export type { RnnMode } from './rnn.js';

/** Whether `fusedRecurrent` can run now (the active backend is a blas variant, with the kernels). */
export function fusedRecurrentAvailable(): boolean {
  return tf.getKernel(LSTM_SEQ, tf.getBackend()) !== undefined;
}

export interface FusedRecurrentResult {
  /** The hidden state after every step, in time order: [T, N, H]. */
  output: tf.Tensor3D;
  /** The hidden state after the last step processed (step T - 1, or 0 when reverse): [N, H]. */
  h: tf.Tensor2D;
  /** The LSTM's cell state after the last step processed: [N, H] (null for RNN and GRU). */
  c: tf.Tensor2D | null;
}

/**
 * Runs one layer over time-major input, given its input projection.
 * @param proj [T, N, G]: W_ih x_t + b_ih (+ b_hh, except for the GRU) for every step
 * @param wHh [G, H]: the hidden-hidden weights in PyTorch's layout (gates stacked: i|f|g|o, r|z|n)
 * @param h0 [N, H]; c0 [N, H] for the LSTM (else null)
 * @param bHh [G]: the GRU's hidden-hidden bias (null: none); ignored by the other modes
 * @param reverse run the steps from T - 1 down to 0 (the reverse direction of a bidirectional layer)
 */
export function fusedRecurrent(
  mode: RnnMode, proj: tf.Tensor, wHh: tf.Tensor, h0: tf.Tensor, c0: tf.Tensor | null, bHh: tf.Tensor | null, reverse: boolean,
): FusedRecurrentResult {
  const attrs = { mode, reverse } as unknown as tf.NamedAttrMap;
  const e = tf.engine();
  // tidy frees the extra outputs kept for the backward pass (its saved copies stay alive)
  const [output, h, c] = tf.tidy(() => {
    if (mode === 'LSTM') {
      if (!c0) throw new Error('fusedRecurrent: the LSTM needs c0');
      return (e.runKernel(LSTM_SEQ, { proj, wHh, h0, c0 }, attrs) as tf.Tensor[]).slice(0, 3);
    }
    if (mode === 'GRU') {
      const b = bHh ?? tf.zeros([wHh.shape[0]!]);
      return (e.runKernel(GRU_SEQ, { proj, wHh, h0, bHh: b }, attrs) as tf.Tensor[]).slice(0, 2);
    }
    return (e.runKernel(RNN_SEQ, { proj, wHh, h0 }, attrs) as tf.Tensor[]).slice(0, 2);
  });
  return { output: output as tf.Tensor3D, h: h as tf.Tensor2D, c: (c as tf.Tensor2D | undefined) ?? null };
}

let installed = false;

/**
 * Registers the gradients of the three forward kernels (once). Each runs the backward kernel once
 * and hands out its results; gradients of unused inputs are freed by the engine's backward scope.
 */
export function installRnnGradients(): void {
  if (installed) return;
  installed = true;
  // Gradients of outputs outside the backward pass arrive as null (./engine.ts passes null for
  // these kernels instead of allocating zeros: an LSTM layer's saved gates alone are [T, N, 4H])
  // or as zeros (the engine's own path); null ones are left out and the kernel takes zeros.
  const backward = (inputs: Record<string, tf.Tensor | null>, attrs: tf.NamedAttrMap): tf.Tensor[] => {
    const given: tf.NamedTensorMap = {};
    for (const [k, v] of Object.entries(inputs)) if (v) given[k] = v;
    return tf.engine().runKernel(RNN_SEQ_GRAD, given, attrs) as tf.Tensor[];
  };
  for (const kernelName of [RNN_SEQ, LSTM_SEQ, GRU_SEQ]) acceptNullGradients(kernelName);
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
}
