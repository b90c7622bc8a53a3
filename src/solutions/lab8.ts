/**
 * Lab 8 reference solutions: the three recurrent cells written from scratch (Tasks 2.1, 3.1, 4.1).
 *
 * Each class is the notebook's task cell with the solution filled in between `// BEGIN SOLUTION`
 * and `// END SOLUTION` (the instructor build and the kernel's instructor toggle fill the notebook's
 * task regions from this file). Parameters: `weight_xh` (D x kH), `weight_hh` (H x kH),
 * `bias_xh`, `bias_hh` (kH) with the gates concatenated (k = 1; 3 for r|z|n; 4 for i|f|g|o);
 * `resetParams()` draws U(-1/sqrt(H), 1/sqrt(H)) into them in that order from the
 * PyTorch-compatible generator, so `manualSeed(123)` reproduces the PyTorch notebook's values.
 * The forward passes compute the input's contribution for all time steps in one matrix product,
 * then one matrix product per step for all gates of the hidden state.
 */
import * as tf from '@tensorflow/tfjs';
import { Module, parameter } from '../lib/nn/module.js';
import { uniform_ } from '../lib/random/torch-generator.js';

/**
 * Vanilla recurrent neural network which has the following update rule:
 *     h_t = tanh(x_t W_xh + b_xh + h_(t-1) W_hh + b_hh)
 */
export class VanillaRNN extends Module {
  hiddenSize: number;

  // Input to hidden weights
  weight_xh!: tf.Variable;

  // Hidden to hidden weights
  weight_hh!: tf.Variable;

  // Input to hidden biases
  bias_xh!: tf.Variable;

  // Hidden to hidden biases
  bias_hh!: tf.Variable;

  constructor(inputSize: number, hiddenSize: number) {
    super();

    this.hiddenSize = hiddenSize;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // RNN parameters
    // BEGIN SOLUTION
    this.weight_xh = parameter([inputSize, hiddenSize]);
    this.weight_hh = parameter([hiddenSize, hiddenSize]);
    this.bias_xh = parameter([hiddenSize]);
    this.bias_hh = parameter([hiddenSize]);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Initialize parameters
    this.resetParams();
  }

  /** Reset the network parameters: every one uniform in [-1/sqrt(H), 1/sqrt(H)]. */
  resetParams(): void {
    const std = 1.0 / Math.sqrt(this.hiddenSize);
    uniform_(this.weight_xh, -std, std);
    uniform_(this.weight_hh, -std, std);
    uniform_(this.bias_xh, -std, std);
    uniform_(this.bias_hh, -std, std);
  }

  /**
   * Args:
   *   x: input with shape (M, T, D) where M is the number of samples, T the number of
   *      time steps and D the input size.
   *
   * Returns:
   *   y: output with shape (M, T, H) where H is the hidden size.
   */
  forward(x: tf.Tensor3D): tf.Tensor {
    // Transpose the input for efficient vectorized calculation. After transposing
    // the input has shape (T, M, D).
    x = x.transpose([1, 0, 2]);

    // Unpack dimensions
    const [T, M] = [x.shape[0], x.shape[1]];

    // Initialize hidden states to zero. There will be one hidden state for
    // each input, so it will have shape (M, H)
    const h0 = tf.zeros([M, this.hiddenSize]);

    // Define a list to store outputs. We will then stack them.
    const outputs: tf.Tensor[] = [];

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    // The input's contribution to the pre-activation for all time steps in one matrix product:
    // (T*M, D) x (D, H) -> (T, M, H), then one slice per time step.
    const xh = x.reshape([T * M, -1]).matMul(this.weight_xh).add(this.bias_xh).reshape([T, M, -1]).unstack();
    let h = h0;
    for (let t = 0; t < T; t++) {
      h = xh[t].add(h.matMul(this.weight_hh).add(this.bias_hh)).tanh();
      outputs.push(h);
    }
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Stack the outputs. After this operation, the output has shape (T, M, H)
    let y = tf.stack(outputs);

    // Reshape outputs
    y = y.transpose([1, 0, 2]);

    return y;
  }
}

/**
 * Gated recurrent unit which has the following update rule:
 *     r_t = σ(x_t W_xr + b_xr + h_(t-1) W_hr + b_hr)
 *     z_t = σ(x_t W_xz + b_xz + h_(t-1) W_hz + b_hz)
 *     n_t = tanh(x_t W_xn + b_xn + r_t ⊙ (h_(t-1) W_hn + b_hn))
 *     h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_(t-1)
 */
export class GRU extends Module {
  hiddenSize: number;

  // Input to hidden weights
  weight_xh!: tf.Variable;

  // Hidden to hidden weights
  weight_hh!: tf.Variable;

  // Input to hidden biases
  bias_xh!: tf.Variable;

  // Hidden to hidden biases
  bias_hh!: tf.Variable;

  constructor(inputSize: number, hiddenSize: number) {
    super();

    this.hiddenSize = hiddenSize;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // GRU parameters
    // BEGIN SOLUTION
    this.weight_xh = parameter([inputSize, 3 * hiddenSize]);
    this.weight_hh = parameter([hiddenSize, 3 * hiddenSize]);
    this.bias_xh = parameter([3 * hiddenSize]);
    this.bias_hh = parameter([3 * hiddenSize]);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Initialize parameters
    this.resetParams();
  }

  /** Reset the network parameters: every one uniform in [-1/sqrt(H), 1/sqrt(H)]. */
  resetParams(): void {
    const std = 1.0 / Math.sqrt(this.hiddenSize);
    uniform_(this.weight_xh, -std, std);
    uniform_(this.weight_hh, -std, std);
    uniform_(this.bias_xh, -std, std);
    uniform_(this.bias_hh, -std, std);
  }

  /**
   * Args:
   *   x: input with shape (M, T, D) where M is the number of samples, T the number of
   *      time steps and D the input size.
   *
   * Returns:
   *   y: output with shape (M, T, H) where H is the hidden size.
   */
  forward(x: tf.Tensor3D): tf.Tensor {
    // Transpose the input for efficient vectorized calculation. After transposing
    // the input has shape (T, M, D).
    x = x.transpose([1, 0, 2]);

    // Unpack dimensions
    const [T, N, H] = [x.shape[0], x.shape[1], this.hiddenSize];

    // Initialize hidden states to zero. There will be one hidden state for
    // each input, so it will have shape (N, H)
    const h0 = tf.zeros([N, H]);

    // Define a list to store outputs. We will then stack them.
    const outputs: tf.Tensor[] = [];

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    // The input's contribution to all gates for all time steps in one matrix product:
    // (T*N, D) x (D, 3H) -> (T, N, 3H), then one slice per time step.
    const xh = x.reshape([T * N, -1]).matMul(this.weight_xh).add(this.bias_xh).reshape([T, N, -1]).unstack();
    let h = h0;
    for (let t = 0; t < T; t++) {
      // All gates' hidden contributions in one matrix product: (N, H) x (H, 3H)
      const gh = h.matMul(this.weight_hh).add(this.bias_hh);
      // Reset and update gates together: their pre-activations are the first 2H columns
      const [xrz, xn] = xh[t].split([2 * H, H], 1);
      const [hrz, hn] = gh.split([2 * H, H], 1);
      const [r, z] = xrz.add(hrz).sigmoid().split(2, 1);
      // Candidate state
      const n = xn.add(r.mul(hn)).tanh();
      // h = (1 - z) * n + z * h, computed as n + z * (h - n)
      h = n.add(z.mul(h.sub(n)));
      outputs.push(h);
    }
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Stack the outputs. After this operation, the output has shape (T, N, H)
    let y = tf.stack(outputs);

    // Switch the time and batch dimensions: (T, N, H) -> (N, T, H)
    y = y.transpose([1, 0, 2]);

    return y;
  }
}

/**
 * Long short-term memory recurrent unit which has the following update rule:
 *     i_t = σ(x_t W_xi + b_xi + h_(t-1) W_hi + b_hi)
 *     f_t = σ(x_t W_xf + b_xf + h_(t-1) W_hf + b_hf)
 *     g_t = tanh(x_t W_xg + b_xg + h_(t-1) W_hg + b_hg)
 *     o_t = σ(x_t W_xo + b_xo + h_(t-1) W_ho + b_ho)
 *     c_t = f_t ⊙ c_(t-1) + i_t ⊙ g_t
 *     h_t = o_t ⊙ tanh(c_t)
 */
export class LSTM extends Module {
  hiddenSize: number;

  // Input to hidden weights
  weight_xh!: tf.Variable;

  // Hidden to hidden weights
  weight_hh!: tf.Variable;

  // Input to hidden biases
  bias_xh!: tf.Variable;

  // Hidden to hidden biases
  bias_hh!: tf.Variable;

  constructor(inputSize: number, hiddenSize: number) {
    super();

    this.hiddenSize = hiddenSize;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // LSTM parameters
    // BEGIN SOLUTION
    this.weight_xh = parameter([inputSize, 4 * hiddenSize]);
    this.weight_hh = parameter([hiddenSize, 4 * hiddenSize]);
    this.bias_xh = parameter([4 * hiddenSize]);
    this.bias_hh = parameter([4 * hiddenSize]);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Initialize parameters
    this.resetParams();
  }

  /** Reset the network parameters: every one uniform in [-1/sqrt(H), 1/sqrt(H)]. */
  resetParams(): void {
    const std = 1.0 / Math.sqrt(this.hiddenSize);
    uniform_(this.weight_xh, -std, std);
    uniform_(this.weight_hh, -std, std);
    uniform_(this.bias_xh, -std, std);
    uniform_(this.bias_hh, -std, std);
  }

  /**
   * Args:
   *   x: input with shape (M, T, D) where M is the number of samples, T the number of
   *      time steps and D the input size.
   *
   * Returns:
   *   y: output with shape (M, T, H) where H is the hidden size.
   */
  forward(x: tf.Tensor3D): tf.Tensor {
    // Transpose the input for efficient vectorized calculation. After transposing
    // the input has shape (T, M, D).
    x = x.transpose([1, 0, 2]);

    // Unpack dimensions
    const [T, N, H] = [x.shape[0], x.shape[1], this.hiddenSize];

    // Initialize hidden and cell states to zero. There will be one hidden
    // and cell state for each input, so they will have shape (N, H)
    const h0 = tf.zeros([N, H]);
    const c0 = tf.zeros([N, H]);

    // Define a list to store outputs. We will then stack them.
    const outputs: tf.Tensor[] = [];

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    // The input's contribution to all gates for all time steps in one matrix product:
    // (T*N, D) x (D, 4H) -> (T, N, 4H), then one slice per time step.
    const xh = x.reshape([T * N, -1]).matMul(this.weight_xh).add(this.bias_xh).reshape([T, N, -1]).unstack();
    let h = h0;
    let c = c0;
    for (let t = 0; t < T; t++) {
      // All four gates' pre-activations: (N, 4H)
      const gates = xh[t].add(h.matMul(this.weight_hh).add(this.bias_hh));
      const [gi, gf, gg, go] = gates.split(4, 1);
      const i = gi.sigmoid();
      const f = gf.sigmoid();
      const g = gg.tanh();
      const o = go.sigmoid();
      c = f.mul(c).add(i.mul(g));
      h = o.mul(c.tanh());
      outputs.push(h);
    }
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    // Stack the outputs. After this operation, the output has shape (T, N, H)
    let y = tf.stack(outputs);

    // Switch the time and batch dimensions: (T, N, H) -> (N, T, H)
    y = y.transpose([1, 0, 2]);

    return y;
  }
}

/** The recurrent cell classes of Lab 8 by the names `run` uses. */
export const lab8Cells = { vanilla: VanillaRNN, gru: GRU, lstm: LSTM } as const;
