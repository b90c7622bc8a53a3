/**
 * I2DL RNN exercise (original 003) reference solutions: the task cells of
 * notebooks/i2dl_rnn_exercise.ipynb with the solutions filled in between `// BEGIN SOLUTION` and
 * `// END SOLUTION` (the instructor build and the kernel's instructor toggle fill the notebook's task
 * regions from this file). Every declaration here is one task cell's class or function:
 *
 * - `RNN`: one recurrent layer, Eq. 1 h_t = act(W h_(t-1) + b_h + V x_t + b_x), act tanh or relu,
 *   with `W` (hidden -> hidden, bias b_h) and `V` (input -> hidden, bias b_x) as `Linear` layers;
 *   `call(x, h0?)` returns [hSeq, h] like the library's (PyTorch's) `nn.RNN`.
 * - `exploreGradients`: |d h_T / d x_t| of an RNN for every step, plotted (open-ended, not graded).
 * - `LSTM`: the Wikipedia LSTM with a forget gate, `W_q` (input, with bias) and `U_q` (hidden, with
 *   bias) for q = f, i, o, c; `call(x, [h0, c0]?)` returns [hSeq, [h, c]] like `nn.LSTM`.
 * - `compareGradients`: the same for an RNN and an LSTM, plotted together (open-ended, not graded).
 * - `chooseTrainSplit`: the training / validation split.
 * - `RNN_Classifier`, `LSTM_Classifier`: MNIST images as sequences of rows, the final hidden state
 *   into a linear layer.
 *
 * The names imported here are the ones the notebook's setup cell imports (`nn` is the library there).
 */
import * as tf from '@tensorflow/tfjs';
import { saveModule } from '../lib/nn/serialize.js';
import { Linear } from '../lib/nn/layers.js';
import { Module } from '../lib/nn/module.js';
import * as nn from '../lib/nn/index.js';
import { showFigure } from '../lib/plots.js';
import { randn } from '../lib/random/torch-generator.js';

/**
 * A simple one-layer RNN (Eq. 1): h_t = act(W h_(t-1) + b_h + V x_t + b_x), act = tanh or relu.
 *
 * Parameters: `W`, a Linear layer hidden -> hidden (its weight is W [H, H], its bias b_h [H]), and
 * `V`, a Linear layer input -> hidden (weight V [H, D], bias b_x [H]).
 */
export class RNN extends Module {
  readonly hiddenSize: number;
  readonly activation: 'tanh' | 'relu';

  // Hidden-to-hidden weights W and bias b_h
  W!: Linear;

  // Input-to-hidden weights V and bias b_x
  V!: Linear;

  constructor(inputSize = 1, hiddenSize = 20, activation: 'tanh' | 'relu' = 'tanh') {
    super();
    if (activation !== 'tanh' && activation !== 'relu') throw new Error(`RNN: activation must be 'tanh' or 'relu', got ${String(activation)}`);
    this.hiddenSize = hiddenSize;
    this.activation = activation;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // RNN parameters: this.W = new Linear(...), this.V = new Linear(...)
    // BEGIN SOLUTION
    this.W = new Linear(hiddenSize, hiddenSize);
    this.V = new Linear(inputSize, hiddenSize);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////
  }

  /**
   * Args:
   *   x: input sequence [seqLen, batch, inputSize]
   *   h: optional initial hidden state [1, batch, hiddenSize] (default zeros)
   *
   * Returns [hSeq, h]:
   *   hSeq: the hidden state of every time step [seqLen, batch, hiddenSize]
   *   h: the final hidden state [1, batch, hiddenSize]
   */
  call(x: tf.Tensor, h?: tf.Tensor): [tf.Tensor, tf.Tensor] {
    // The hidden state of every time step; they are stacked into hSeq at the end.
    const hSeq: tf.Tensor[] = [];

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    const [T, N] = [x.shape[0]!, x.shape[1]!];
    const act = this.activation === 'relu' ? tf.relu : tf.tanh;
    let ht = h ? h.reshape([N, this.hiddenSize]) : tf.zeros([N, this.hiddenSize]);
    for (let t = 0; t < T; t++) {
      // x_t: [N, D]
      const xt = x.slice(t, 1).reshape([N, -1]);
      ht = act(this.W.apply(ht).add(this.V.apply(xt)));
      hSeq.push(ht);
    }
    h = ht.expandDims(0);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    if (hSeq.length !== x.shape[0] || !h) throw new Error(`RNN.call: push the hidden state of every time step onto hSeq (it holds ${hSeq.length} of ${x.shape[0]}) and set h to the last one`);
    return [tf.stack(hSeq), h];
  }

  /** The hidden states only, so that `apply(x)` (and `Sequential`) work. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.call(x)[0];
  }
}

/**
 * Explores the vanishing gradient: defines an RNN with one input feature and `hiddenSize` units,
 * computes the gradient of its final hidden state h_T with respect to every input x_t of one random
 * sequence of `seqLen` steps, plots the sizes |∂h_T/∂x_t| over t and returns them (one per step).
 */
export function exploreGradients(seqLen = 50, hiddenSize = 20): number[] {
  let grads: number[] = [];

  //////////////////////////////////////////////////////////////////////////
  //                          START OF YOUR CODE                          //
  //////////////////////////////////////////////////////////////////////////
  // BEGIN SOLUTION
  const rnn = new nn.RNN(1, hiddenSize);
  const x = randn([seqLen, 1, 1]);
  // tf.grad differentiates a scalar: the sum of h_T; its gradient has the shape of x, [T, 1, 1]
  grads = tf.tidy(() => {
    const g = tf.grad((xs: tf.Tensor) => tf.sum(rnn.call(xs)[1]))(x);
    return Array.from(tf.abs(g).dataSync());
  });
  showFigure({
    data: [{ x: grads.map((_, t) => t + 1), y: grads, type: 'scatter', mode: 'lines+markers', name: 'RNN' }],
    layout: {
      title: { text: `Gradient of h_T with respect to the input x_t (RNN, T = ${seqLen})` },
      xaxis: { title: { text: 'time step t' } },
      // the sizes span many orders of magnitude: a logarithmic axis shows them best
      yaxis: { title: { text: '|∂h_T / ∂x_t|' }, type: 'log', exponentformat: 'power' },
    },
  });
  x.dispose();
  rnn.dispose();
  // END SOLUTION
  //////////////////////////////////////////////////////////////////////////
  //                           END OF YOUR CODE                           //
  //////////////////////////////////////////////////////////////////////////

  return grads;
}

/**
 * An LSTM with a forget gate (one layer), following the equations above:
 *   f_t = σ(W_f x_t + U_f h_(t-1) + b_f)     forget gate
 *   i_t = σ(W_i x_t + U_i h_(t-1) + b_i)     input gate
 *   o_t = σ(W_o x_t + U_o h_(t-1) + b_o)     output gate
 *   c_t = f_t ⊙ c_(t-1) + i_t ⊙ tanh(W_c x_t + U_c h_(t-1) + b_c)
 *   h_t = o_t ⊙ tanh(c_t)
 *
 * Parameters: for q = f, i, o, c a Linear layer `W_q` input -> hidden and a Linear layer `U_q`
 * hidden -> hidden, both with a bias (so each gate has two biases, as in PyTorch: b_q is their sum).
 */
export class LSTM extends Module {
  readonly hiddenSize: number;

  // Forget gate
  W_f!: Linear;
  U_f!: Linear;

  // Input gate
  W_i!: Linear;
  U_i!: Linear;

  // Output gate
  W_o!: Linear;
  U_o!: Linear;

  // Cell input
  W_c!: Linear;
  U_c!: Linear;

  constructor(inputSize = 1, hiddenSize = 20) {
    super();
    this.hiddenSize = hiddenSize;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // LSTM parameters: this.W_f = new Linear(...), this.U_f = new Linear(...), ...
    // BEGIN SOLUTION
    this.W_f = new Linear(inputSize, hiddenSize);
    this.U_f = new Linear(hiddenSize, hiddenSize);
    this.W_i = new Linear(inputSize, hiddenSize);
    this.U_i = new Linear(hiddenSize, hiddenSize);
    this.W_o = new Linear(inputSize, hiddenSize);
    this.U_o = new Linear(hiddenSize, hiddenSize);
    this.W_c = new Linear(inputSize, hiddenSize);
    this.U_c = new Linear(hiddenSize, hiddenSize);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////
  }

  /**
   * Args:
   *   x: input sequence [seqLen, batch, inputSize]
   *   state: optional initial state [h, c], each [1, batch, hiddenSize] (default zeros)
   *
   * Returns [hSeq, [h, c]]:
   *   hSeq: the hidden state of every time step [seqLen, batch, hiddenSize]
   *   h: the final hidden state [1, batch, hiddenSize]
   *   c: the final cell state [1, batch, hiddenSize]
   */
  call(x: tf.Tensor, state?: [tf.Tensor, tf.Tensor]): [tf.Tensor, [tf.Tensor, tf.Tensor]] {
    // The hidden state of every time step; they are stacked into hSeq at the end.
    const hSeq: tf.Tensor[] = [];
    let h = state?.[0];
    let c = state?.[1];

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    const [T, N, H] = [x.shape[0]!, x.shape[1]!, this.hiddenSize];
    let ht = h ? h.reshape([N, H]) : tf.zeros([N, H]);
    let ct = c ? c.reshape([N, H]) : tf.zeros([N, H]);
    for (let t = 0; t < T; t++) {
      const xt = x.slice(t, 1).reshape([N, -1]);
      const f = this.W_f.apply(xt).add(this.U_f.apply(ht)).sigmoid();
      const i = this.W_i.apply(xt).add(this.U_i.apply(ht)).sigmoid();
      const o = this.W_o.apply(xt).add(this.U_o.apply(ht)).sigmoid();
      const g = this.W_c.apply(xt).add(this.U_c.apply(ht)).tanh();
      ct = f.mul(ct).add(i.mul(g));
      ht = o.mul(ct.tanh());
      hSeq.push(ht);
    }
    h = ht.expandDims(0);
    c = ct.expandDims(0);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    if (hSeq.length !== x.shape[0] || !h || !c) throw new Error(`LSTM.call: push the hidden state of every time step onto hSeq (it holds ${hSeq.length} of ${x.shape[0]}) and set h and c to the last states`);
    return [tf.stack(hSeq), [h, c]];
  }

  /** The hidden states only, so that `apply(x)` (and `Sequential`) work. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.call(x)[0];
  }
}

/**
 * Defines an RNN and an LSTM (one input feature, `hiddenSize` units each), computes the gradients of
 * h_T with respect to every input of one random sequence of `seqLen` steps for both, plots both
 * curves in one figure and returns them (one size per step for each model).
 */
export function compareGradients(seqLen = 50, hiddenSize = 20): { rnn: number[]; lstm: number[] } {
  let rnn: number[] = [];
  let lstm: number[] = [];

  //////////////////////////////////////////////////////////////////////////
  //                          START OF YOUR CODE                          //
  //////////////////////////////////////////////////////////////////////////
  // BEGIN SOLUTION
  const x = randn([seqLen, 1, 1]);
  const rnnModel = new nn.RNN(1, hiddenSize);
  const lstmModel = new nn.LSTM(1, hiddenSize);
  // |d sum(h_T) / d x_t| for every step t, for a function from the sequence to h_T
  const gradientSizes = (finalHidden: (xs: tf.Tensor) => tf.Tensor): number[] =>
    tf.tidy(() => {
      const g = tf.grad((xs: tf.Tensor) => tf.sum(finalHidden(xs)))(x);
      return Array.from(tf.abs(g).dataSync());
    });
  rnn = gradientSizes((xs) => rnnModel.call(xs)[1]);
  lstm = gradientSizes((xs) => lstmModel.call(xs)[1][0]);
  const steps = rnn.map((_, t) => t + 1);
  showFigure({
    data: [
      { x: steps, y: rnn, type: 'scatter', mode: 'lines+markers', name: 'RNN' },
      { x: steps, y: lstm, type: 'scatter', mode: 'lines+markers', name: 'LSTM' },
    ],
    layout: {
      title: { text: `Gradient of h_T with respect to x_t (T = ${seqLen}, ${hiddenSize} hidden units)` },
      xaxis: { title: { text: 'time step t' } },
      yaxis: { title: { text: '|∂h_T / ∂x_t|' }, type: 'log', exponentformat: 'power' },
    },
  });
  x.dispose();
  rnnModel.dispose();
  lstmModel.dispose();
  // END SOLUTION
  //////////////////////////////////////////////////////////////////////////
  //                           END OF YOUR CODE                           //
  //////////////////////////////////////////////////////////////////////////

  return { rnn, lstm };
}

/** The fraction of the loaded training images that is used for training; the rest validates. */
export function chooseTrainSplit(): number {
  let trainSplit = 0;

  //////////////////////////////////////////////////////////////////////////
  //                          START OF YOUR CODE                          //
  //////////////////////////////////////////////////////////////////////////
  // BEGIN SOLUTION
  trainSplit = 0.8;
  // END SOLUTION
  //////////////////////////////////////////////////////////////////////////
  //                           END OF YOUR CODE                           //
  //////////////////////////////////////////////////////////////////////////

  return trainSplit;
}

/**
 * An MNIST classifier built on a simple RNN: the 28 rows of an image are the 28 steps of a
 * sequence (each row, 28 pixels, is one input vector); the final hidden state goes through a
 * linear layer to the class scores.
 */
export class RNN_Classifier extends Module {
  // The recurrent layer (the library's nn.RNN, or your own RNN class) and the output layer
  rnn!: nn.RNN;
  fc!: Linear;

  constructor(classes = 10, inputSize = 28, hiddenSize = 128, activation: 'tanh' | 'relu' = 'relu') {
    super();

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    this.rnn = new nn.RNN(inputSize, hiddenSize, { nonlinearity: activation });
    this.fc = new Linear(hiddenSize, classes);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////
  }

  /**
   * Args:
   *   x: a batch of images [N, 1, 28, 28] (or [N, 28, 28])
   *
   * Returns:
   *   out: the class scores [N, classes]
   */
  forward(x: tf.Tensor): tf.Tensor {
    let out: tf.Tensor | undefined;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    const n = x.shape[0]!;
    // [N, 28, 28] -> [28, N, 28]: the rows of the images are the time steps
    const seq = tf.transpose(x.reshape([n, -1, x.shape[x.rank - 1]!]), [1, 0, 2]);
    const [, h] = this.rnn.call(seq);
    out = this.fc.apply(h.reshape([n, -1]));
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    if (!out) throw new Error('RNN_Classifier.forward: set out to the class scores [N, classes]');
    return out;
  }

  /** Saves the parameters (format: saveModule in the course library). */
  save(path: string): void {
    console.log(`Saving model... ${path}`);
    saveModule(this, path);
  }
}

/** The same classifier with an LSTM: the rows of an image as a sequence, the final hidden state into a linear layer. */
export class LSTM_Classifier extends Module {
  // The recurrent layer (the library's nn.LSTM, or your own LSTM class) and the output layer
  lstm!: nn.LSTM;
  fc!: Linear;

  constructor(classes = 10, inputSize = 28, hiddenSize = 128) {
    super();

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    this.lstm = new nn.LSTM(inputSize, hiddenSize);
    this.fc = new Linear(hiddenSize, classes);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////
  }

  /**
   * Args:
   *   x: a batch of images [N, 1, 28, 28] (or [N, 28, 28])
   *
   * Returns:
   *   out: the class scores [N, classes]
   */
  forward(x: tf.Tensor): tf.Tensor {
    let out: tf.Tensor | undefined;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    const n = x.shape[0]!;
    const seq = tf.transpose(x.reshape([n, -1, x.shape[x.rank - 1]!]), [1, 0, 2]);
    const [, [h]] = this.lstm.call(seq);
    out = this.fc.apply(h.reshape([n, -1]));
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    if (!out) throw new Error('LSTM_Classifier.forward: set out to the class scores [N, classes]');
    return out;
  }

  /** Saves the parameters (format: saveModule in the course library). */
  save(path: string): void {
    console.log(`Saving model... ${path}`);
    saveModule(this, path);
  }
}
