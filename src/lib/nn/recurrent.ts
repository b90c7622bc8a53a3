/**
 * `torch.nn.RNN`, `torch.nn.LSTM` and `torch.nn.GRU` for TensorFlow.js: the same constructor
 * options, parameter names, shapes, registration order and initialisation as PyTorch 1.13, the
 * same equations and gate order, and the same input and output shapes.
 *
 * ```ts
 * manualSeed(0);                                  // torch.manual_seed(0)
 * const lstm = new LSTM(28, 128, { numLayers: 2, batchFirst: true });
 * const [out, [hN, cN]] = lstm.call(x);           // out, (h_n, c_n) = lstm(x)
 * const y = lstm.apply(x);                        // only `out` (Module / Sequential contract)
 * ```
 *
 * Shapes, with T time steps, N sequences, D = inputSize, H = hiddenSize, L = numLayers and
 * dirs = 2 if bidirectional else 1:
 * - input `x`: [T, N, D] (or [N, T, D] with `batchFirst`), or unbatched [T, D];
 * - `output`: [T, N, dirs * H] (or [N, T, dirs * H]; unbatched [T, dirs * H]), the last layer's
 *   hidden state at every step (forward and reverse directions concatenated);
 * - `hN` (and `cN` for the LSTM), and the optional initial `h0` / `c0`: [L * dirs, N, H] whatever
 *   `batchFirst` says (unbatched [L * dirs, H]), ordered layer 0 forward, layer 0 reverse, layer 1 ...
 *
 * How it computes (for speed on every backend): per layer and direction one `recurrentLayer` op
 * (../ops/recurrent.ts): one matrix product for the input projection of all time steps, then the
 * steps as one kernel where the backend has it (the blas backends), else one matrix product per
 * step for the recurrent part with all gates in one matrix; no reads of tensor data, every
 * intermediate freed by `tf.tidy`.
 */
import * as tf from '@tensorflow/tfjs';
import { defaultGenerator, uniform_, uniformValues, type Generator } from '../random/torch-generator.js';
import { Module, parameter } from './module.js';
import { RECURRENT_GATES as GATES, recurrentLayer, unstack0, type RecurrentMode } from '../ops/recurrent.js';

/** Which recurrence a layer computes (PyTorch's `mode`). */
export type { RecurrentMode } from '../ops/recurrent.js';

/** Options shared by `RNN`, `LSTM` and `GRU` (PyTorch's keyword arguments, in camelCase). */
export interface RecurrentOptions {
  /** Stacked recurrent layers (`num_layers`, default 1); layer l + 1 reads layer l's output. */
  numLayers?: number;
  /** Whether the layers have the biases `bias_ih_l*` and `bias_hh_l*` (default true). */
  bias?: boolean;
  /** Input and output as [N, T, features] instead of [T, N, features] (`batch_first`, default false). Does not change h0 / hN. */
  batchFirst?: boolean;
  /**
   * Dropout probability on the outputs of every layer except the last (default 0), applied only in
   * training mode (`module.train()`, the default; `module.eval()` turns it off). The masks are drawn
   * from `generator` with PyTorch's semantics (keep with probability 1 - p, scale by 1 / (1 - p)),
   * but not PyTorch's values: PyTorch's CPU dropout draws its masks through MKL.
   */
  dropout?: number;
  /** A reverse-direction layer next to every forward one (`bidirectional`, default false). */
  bidirectional?: boolean;
  /** Generator for the initial weights and the dropout masks (default: the global one, as in PyTorch). */
  generator?: Generator;
}

/** Options of `RNN`: the shared ones and the nonlinearity. */
export interface RNNOptions extends RecurrentOptions {
  /** `'tanh'` (default) or `'relu'`. */
  nonlinearity?: 'tanh' | 'relu';
}

/** What `RNN.call` and `GRU.call` return: PyTorch's `(output, h_n)`. */
export type RNNOutput = [output: tf.Tensor, hN: tf.Tensor];
/** An LSTM state `(h, c)`: hidden state and cell state, each [L * dirs, N, H] (unbatched [L * dirs, H]). */
export type LSTMState = [h: tf.Tensor, c: tf.Tensor];
/** What `LSTM.call` returns: PyTorch's `(output, (h_n, c_n))`. */
export type LSTMOutput = [output: tf.Tensor, state: LSTMState];

const CLASS_NAME: Record<RecurrentMode, string> = { RNN_TANH: 'RNN', RNN_RELU: 'RNN', LSTM: 'LSTM', GRU: 'GRU' };

interface LayerWeights {
  wIh: tf.Variable;
  wHh: tf.Variable;
  bIh: tf.Variable | null;
  bHh: tf.Variable | null;
}

function checkCount(what: string, v: number, min: number): void {
  if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${v}`);
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

/**
 * The common part of `RNN`, `LSTM` and `GRU` (PyTorch's `RNNBase`). Parameters are own properties
 * named as in PyTorch (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then
 * `..._l0_reverse` when bidirectional, then `_l1` ...), in that registration order, so
 * `namedParameters()` lists them exactly like `named_parameters()`.
 */
export abstract class RNNBase extends Module {
  /** Features per input step (`input_size`). */
  readonly inputSize: number;
  /** Features of the hidden state (`hidden_size`). */
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly bidirectional: boolean;
  readonly mode: RecurrentMode;
  /** The parameter names in registration order (PyTorch's `_flat_weights_names`). */
  readonly flatWeightsNames: readonly string[];
  private readonly generator: Generator;
  private readonly layerWeights: LayerWeights[];

  /** Layer 0's input-hidden weights [gates * H, D] (gates: RNN 1, GRU 3 (r, z, n), LSTM 4 (i, f, g, o)). */
  declare readonly weight_ih_l0: tf.Variable;
  /** Layer 0's hidden-hidden weights [gates * H, H]. */
  declare readonly weight_hh_l0: tf.Variable;
  /** Layer 0's input-hidden bias [gates * H] (absent with `bias: false`). */
  declare readonly bias_ih_l0?: tf.Variable;
  /** Layer 0's hidden-hidden bias [gates * H] (absent with `bias: false`). */
  declare readonly bias_hh_l0?: tf.Variable;

  protected constructor(mode: RecurrentMode, inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super();
    const name = CLASS_NAME[mode];
    checkCount(`${name}: inputSize`, inputSize, 0);
    checkCount(`${name}: hiddenSize`, hiddenSize, 1);
    const numLayers = options.numLayers ?? 1;
    checkCount(`${name}: numLayers`, numLayers, 1);
    const dropout = options.dropout ?? 0;
    if (typeof dropout !== 'number' || !(dropout >= 0 && dropout <= 1)) {
      throw new RangeError(`${name}: dropout should be a number in range [0, 1] representing the probability of an element being zeroed, got ${dropout}`);
    }
    if (dropout > 0 && numLayers === 1) {
      console.warn(`${name}: dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects numLayers greater than 1, but got dropout=${dropout} and numLayers=${numLayers}`);
    }
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = options.bias ?? true;
    this.batchFirst = options.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = options.bidirectional ?? false;
    this.generator = options.generator ?? defaultGenerator;

    const gh = GATES[mode] * hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const names: string[] = [];
    this.layerWeights = [];
    const self = this as unknown as Record<string, tf.Variable>;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let dir = 0; dir < dirs; dir++) {
        const sfx = `_l${layer}${dir === 1 ? '_reverse' : ''}`;
        const inSize = layer === 0 ? inputSize : hiddenSize * dirs;
        const add = (n: string, shape: number[]): tf.Variable => {
          const v = parameter(shape);
          self[n + sfx] = v;
          names.push(n + sfx);
          return v;
        };
        const wIh = add('weight_ih', [gh, inSize]);
        const wHh = add('weight_hh', [gh, hiddenSize]);
        const bIh = this.bias ? add('bias_ih', [gh]) : null;
        const bHh = this.bias ? add('bias_hh', [gh]) : null;
        this.layerWeights.push({ wIh, wHh, bIh, bHh });
      }
    }
    this.flatWeightsNames = names;
    this.resetParameters();
  }

  /** The number of directions: 2 if bidirectional, else 1. */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /**
   * PyTorch's `reset_parameters()`: every parameter, in registration order, drawn from
   * U(-1/sqrt(H), 1/sqrt(H)) (the constructor calls it with the module's generator).
   */
  resetParameters(gen: Generator = this.generator): void {
    const stdv = 1.0 / Math.sqrt(this.hiddenSize);
    for (const [, v] of this.namedOwnParameters()) uniform_(v, -stdv, stdv, gen);
  }

  /**
   * The parameters grouped per layer and direction, each [weight_ih, weight_hh, bias_ih, bias_hh]
   * (without the biases when `bias` is false), like PyTorch's `all_weights`.
   */
  get allWeights(): tf.Variable[][] {
    return this.layerWeights.map((w) => [w.wIh, w.wHh, ...(w.bIh && w.bHh ? [w.bIh, w.bHh] : [])]);
  }

  /** The output sequence only (`call(x)[0]`), so the layer works in `apply` and `Sequential`. */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.run(x, null, null).output);
  }

  /** Checks x and the initial states and runs all layers; shared by the `call` methods. */
  protected run(x: tf.Tensor, h0: tf.Tensor | null, c0: tf.Tensor | null): { output: tf.Tensor; hN: tf.Tensor; cN: tf.Tensor | null } {
    const name = CLASS_NAME[this.mode];
    if (!(x instanceof tf.Tensor)) throw new TypeError(`${name}: the input must be a tf.Tensor, got ${x === null ? 'null' : typeof x}`);
    if (x.rank !== 2 && x.rank !== 3) throw new Error(`${name}: Expected input to be 2-D or 3-D but received ${x.rank}-D tensor of shape ${shapeStr(x.shape)}`);
    if (x.dtype !== 'float32') throw new TypeError(`${name}: the input must be float32, got ${x.dtype} (convert with x.toFloat())`);
    if (x.shape[x.rank - 1] !== this.inputSize) {
      throw new Error(`${name}: input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${x.shape[x.rank - 1]} (input shape ${shapeStr(x.shape)})`);
    }
    const batched = x.rank === 3;
    // time-major [T, N, D]
    const xt = !batched ? x.expandDims(1) : this.batchFirst ? tf.transpose(x, [1, 0, 2]) : x;
    const [T, N] = xt.shape as [number, number, number];
    if (T === 0) throw new Error(`${name}: the input sequence is empty (shape ${shapeStr(x.shape)})`);
    if (N === 0) throw new Error(`${name}: the batch is empty (shape ${shapeStr(x.shape)})`);
    const LD = this.numLayers * this.numDirections;
    const expected = batched ? [LD, N, this.hiddenSize] : [LD, this.hiddenSize];
    const prepare = (h: tf.Tensor | null, which: string): tf.Tensor[] | null => {
      if (h === null || h === undefined) return null;
      if (!(h instanceof tf.Tensor)) throw new TypeError(`${name}: ${which} must be a tf.Tensor`);
      if (batched && h.rank !== 3) throw new Error(`${name}: For batched 3-D input, ${which} should also be 3-D but got ${h.rank}-D tensor`);
      if (!batched && h.rank !== 2) throw new Error(`${name}: For unbatched 2-D input, ${which} should also be 2-D but got ${h.rank}-D tensor`);
      if (!tf.util.arraysEqual(h.shape, expected)) throw new Error(`${name}: Expected ${which} size ${shapeStr(expected)}, got ${shapeStr(h.shape)}`);
      if (h.dtype !== 'float32') throw new TypeError(`${name}: ${which} must be float32, got ${h.dtype}`);
      return unstack0(batched ? h : h.expandDims(1));
    };
    const isLstm = this.mode === 'LSTM';
    const hs = prepare(h0, isLstm ? 'hidden[0]' : 'hidden');
    const cs = isLstm ? prepare(c0, 'hidden[1]') : null;
    const zeros = hs === null || (isLstm && cs === null) ? tf.zeros([N, this.hiddenSize]) : null;

    let input = xt;
    const hOut: tf.Tensor[] = [];
    const cOut: tf.Tensor[] = [];
    const lastOut = batched && this.batchFirst ? 1 : 0;
    for (let layer = 0; layer < this.numLayers; layer++) {
      const last = layer === this.numLayers - 1;
      const axis = last ? lastOut : 0;
      const outs: tf.Tensor[] = [];
      for (let dir = 0; dir < this.numDirections; dir++) {
        const k = layer * this.numDirections + dir;
        const r = recurrentLayer(this.mode, input, this.layerWeights[k]!, hs?.[k] ?? zeros!, isLstm ? (cs?.[k] ?? zeros!) : null, dir === 1, axis);
        outs.push(r.output);
        hOut.push(r.h);
        if (r.c) cOut.push(r.c);
      }
      input = outs.length === 1 ? outs[0]! : tf.concat(outs, 2);
      if (!last && this.dropout > 0 && this.training) input = this.applyDropout(input);
    }
    const output = batched ? input : input.squeeze([1]);
    const stackState = (s: tf.Tensor[]): tf.Tensor => (batched ? tf.stack(s, 0) : tf.stack(s, 0).squeeze([1]));
    return { output, hN: stackState(hOut), cN: isLstm ? stackState(cOut) : null };
  }

  /** Dropout between layers: keep with probability 1 - p, scale kept values by 1 / (1 - p). */
  private applyDropout(x: tf.Tensor): tf.Tensor {
    const p = this.dropout;
    if (p === 1) return tf.zerosLike(x);
    const u = uniformValues(x.size, 0, 1, this.generator);
    const scale = 1 / (1 - p);
    const mask = new Float32Array(u.length);
    for (let i = 0; i < u.length; i++) mask[i] = u[i]! < 1 - p ? scale : 0;
    return tf.mul(x, tf.tensor(mask, x.shape, 'float32'));
  }
}

/**
 * `nn.RNN(inputSize, hiddenSize, { numLayers, nonlinearity, bias, batchFirst, dropout, bidirectional })`:
 * the Elman recurrence h_t = act(W_ih x_t + b_ih + W_hh h_(t-1) + b_hh) with act = tanh or relu.
 * Parameters: `weight_ih_l{k}` [H, D (layer 0) or dirs * H], `weight_hh_l{k}` [H, H], `bias_ih_l{k}`,
 * `bias_hh_l{k}` [H].
 */
export class RNN extends RNNBase {
  /** `'tanh'` or `'relu'`. */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nl = options.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new Error(`RNN: Unknown nonlinearity '${String(nl)}'. Select from 'tanh' or 'relu'.`);
    super(nl === 'relu' ? 'RNN_RELU' : 'RNN_TANH', inputSize, hiddenSize, options);
    this.nonlinearity = nl;
  }

  /**
   * Runs the layers over a sequence, like `output, h_n = rnn(x, h0)`: returns `[output, hN]`
   * (shapes in the module comment). `h0` defaults to zeros. Intermediate tensors are freed;
   * gradients flow when called inside `tf.grads` / `tf.variableGrads`.
   */
  call(x: tf.Tensor, h0?: tf.Tensor | null): RNNOutput {
    return tf.tidy(() => {
      const r = this.run(x, h0 ?? null, null);
      return [r.output, r.hN] as RNNOutput;
    });
  }
}

/**
 * `nn.LSTM(inputSize, hiddenSize, { numLayers, bias, batchFirst, dropout, bidirectional })`, gates in
 * PyTorch's order i, f, g, o:
 * i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(...), g = tanh(...), o = σ(...),
 * c' = f * c + i * g, h' = o * tanh(c').
 * Parameters: `weight_ih_l{k}` [4H, D or dirs * H] (W_ii | W_if | W_ig | W_io), `weight_hh_l{k}` [4H, H],
 * `bias_ih_l{k}`, `bias_hh_l{k}` [4H]. (PyTorch's `proj_size` is not supported.)
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }

  /**
   * Runs the layers over a sequence, like `output, (h_n, c_n) = lstm(x, (h0, c0))`: returns
   * `[output, [hN, cN]]`. The initial state defaults to zeros. Intermediate tensors are freed;
   * gradients flow when called inside `tf.grads` / `tf.variableGrads`.
   */
  call(x: tf.Tensor, state?: LSTMState | null): LSTMOutput {
    if (state !== undefined && state !== null && (!Array.isArray(state) || state.length !== 2 || !state[0] || !state[1])) {
      throw new TypeError('LSTM: the initial state must be a pair [h0, c0] of tensors (or nothing, for zeros)');
    }
    return tf.tidy(() => {
      const r = this.run(x, state?.[0] ?? null, state?.[1] ?? null);
      return [r.output, [r.hN, r.cN!]] as LSTMOutput;
    });
  }
}

/**
 * `nn.GRU(inputSize, hiddenSize, { numLayers, bias, batchFirst, dropout, bidirectional })`, gates in
 * PyTorch's order r, z, n:
 * r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
 * n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
 * Parameters: `weight_ih_l{k}` [3H, D or dirs * H] (W_ir | W_iz | W_in), `weight_hh_l{k}` [3H, H],
 * `bias_ih_l{k}`, `bias_hh_l{k}` [3H].
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RecurrentOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }

  /**
   * Runs the layers over a sequence, like `output, h_n = gru(x, h0)`: returns `[output, hN]`.
   * `h0` defaults to zeros. Intermediate tensors are freed; gradients flow when called inside
   * `tf.grads` / `tf.variableGrads`.
   */
  call(x: tf.Tensor, h0?: tf.Tensor | null): RNNOutput {
    return tf.tidy(() => {
      const r = this.run(x, h0 ?? null, null);
      return [r.output, r.hN] as RNNOutput;
    });
  }
}
