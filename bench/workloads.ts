/**
 * Training workloads for `npm run bench`: one call of `step()` is one training batch (forward,
 * backward, optimiser update, loss read back to JavaScript), or one epoch for `*-epoch`.
 *
 * - lab8-{vanilla,gru,lstm}: Lab 8 (original 000) through the library exactly as the notebook runs it:
 *   the reference cells (src/solutions/lab8.ts) in `buildClassifier` (unflatten to 40 steps of 1
 *   feature -> cell with hidden 10 -> flatten -> Linear(400, 10)), the library's `Adam` (lr 1e-2,
 *   PyTorch weight decay 1e-3), `crossEntropyLoss` and `train`, batch 100.
 * - lab8-*-epoch: one epoch as `run` does it (train over 40 batches, test over 10).
 * - rnn004 / lstm004: Lab sheet 9's RNN_Model (nn.RNN(28, 128) tanh, last step -> Linear(128, 10))
 *   and LSTM_Model (2-layer nn.LSTM(28, 128), last hidden -> Linear(128, 10)) on MNIST-shaped
 *   data, batch 64, Adam lr 1e-3: through the library's torch.nn-style modules (`-lib`: `RNN`,
 *   `LSTM`, `Linear`, `Adam`, `crossEntropyLoss`, as a notebook writes them), as tf.layers
 *   (`-layers`) and as hand-written cells (`-hand`).
 * Random data of the right shapes (timing only); bench/torch_bench.py has the PyTorch twins.
 */
import * as tf from '@tensorflow/tfjs';
// The built library (dist/), the very code the notebooks import (`npm run bench` builds it first),
// rather than the TypeScript sources as tsx transforms them.
import { Adam, DataLoader, Linear, LSTM, Module, RNN, TensorDataset, crossEntropyLoss, manualSeed } from 'rnn-course-kit';
import { buildClassifier, test, train } from 'rnn-course-kit/training';
import { lab8Cells } from 'rnn-course-kit/solutions';

export interface Workload {
  name: string;
  /** What PyTorch workload (bench/torch_bench.py) it is compared with. */
  torchName: string;
  description: string;
  /** One training batch (or epoch); returns the loss. */
  step(): number | Promise<number>;
  /** The trained parameters, when the workload exposes them (the denormal check scales them). */
  parameters?: () => tf.Variable[];
  dispose(): void;
}

function uniform(shape: number[], std: number, name: string): tf.Variable {
  return tf.variable(tf.randomUniform(shape, -std, std, 'float32'), true, name);
}

let uid = 0;
function uname(base: string): string {
  uid += 1;
  return `bench_${base}_${uid}`;
}

/** Adam step with PyTorch's weight decay (wd * param added to the gradient). */
function trainStep(params: tf.Variable[], opt: tf.Optimizer, wd: number, loss: () => tf.Scalar): number {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, params);
    const g: tf.NamedTensorMap = {};
    for (const p of params) {
      const gp = grads[p.name]!;
      g[p.name] = wd ? tf.add(gp, tf.mul(p, wd)) : gp;
    }
    opt.applyGradients(g);
    return value.dataSync()[0]!;
  });
}

function randomBatch(shape: number[], classes: number, n: number): { x: tf.Tensor; y: tf.Tensor2D } {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape);
    const labels = tf.randomUniform([n], 0, classes, 'int32');
    const y = tf.oneHot(labels, classes).toFloat() as tf.Tensor2D;
    return { x, y };
  });
}

export type CellKind = 'vanilla' | 'gru' | 'lstm';
const GATES: Record<CellKind, number> = { vanilla: 1, gru: 3, lstm: 4 };

interface CellParams {
  wxh: tf.Variable;
  whh: tf.Variable;
  bxh: tf.Variable;
  bhh: tf.Variable;
}

function cellParams(kind: CellKind, d: number, h: number): CellParams {
  const k = GATES[kind];
  const std = 1 / Math.sqrt(h);
  return {
    wxh: uniform([d, k * h], std, uname('wxh')),
    whh: uniform([h, k * h], std, uname('whh')),
    bxh: uniform([k * h], std, uname('bxh')),
    bhh: uniform([k * h], std, uname('bhh')),
  };
}

/**
 * Runs a PyTorch-equation cell over time. xs: [T, N, D]. Returns the hidden states of every step
 * (T tensors [N, H]).
 */
function runCell(kind: 'vanilla' | 'lstm', p: CellParams, xs: tf.Tensor3D, h: number): tf.Tensor2D[] {
  const [T, N, D] = xs.shape;
  const k = GATES[kind];
  // Input projections of all steps at once: [T*N, D] x [D, kH] + b_xh.
  const xp = tf.add(tf.matMul(tf.reshape(xs, [T * N, D]), p.wxh), p.bxh).reshape([T, N, k * h]);
  const xsteps = tf.unstack(xp) as tf.Tensor2D[];
  let hPrev: tf.Tensor2D = tf.zeros([N, h]);
  let cPrev: tf.Tensor2D = tf.zeros([N, h]);
  const out: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const hp = tf.add(tf.matMul(hPrev, p.whh), p.bhh) as tf.Tensor2D; // one matmul per step
    const xt = xsteps[t]!;
    if (kind === 'vanilla') {
      hPrev = tf.tanh(tf.add(xt, hp)) as tf.Tensor2D;
    } else {
      const [ai, af, ag, ao] = tf.split(tf.add(xt, hp), 4, 1) as tf.Tensor2D[];
      const i = tf.sigmoid(ai!);
      const f = tf.sigmoid(af!);
      const g = tf.tanh(ag!);
      const o = tf.sigmoid(ao!);
      cPrev = tf.add(tf.mul(f, cPrev), tf.mul(i, g));
      hPrev = tf.mul(o, tf.tanh(cPrev));
    }
    out.push(hPrev);
  }
  return out;
}

function crossEntropy(logits: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
}

/** n samples shaped like MNIST-1D: inputs [n, 40] ~ N(0, 1), labels in 0..9. */
function mnist1dLike(n: number, seed: number): TensorDataset {
  const x = tf.randomNormal([n, 40], 0, 1, 'float32', seed);
  const y = tf.randomUniform([n], 0, 10, 'int32', seed + 1);
  return new TensorDataset(x, y);
}

function disposeDataset(d: TensorDataset): void {
  tf.dispose([...d.tensors]);
}

/**
 * Lab 8 through the library, as the notebook runs it: `buildClassifier(lab8Cells[kind], 10)` (the
 * reference cells of src/solutions/lab8.ts), `Adam(lr 1e-2, weight decay 1e-3)`,
 * `crossEntropyLoss`, and the library's `train`, given one batch of 100 at a time: one step is
 * exactly what `train` does per batch (forward, loss, backward, Adam step, loss and accuracy
 * summed on the backend) plus its end-of-epoch read. The steps go through the 40 batches of
 * MNIST-1D-sized data in turn, as an epoch does (training on one batch over and over would
 * overfit it, and PyTorch then slows down on the saturated activations).
 */
export function lab8(kind: CellKind, batch = 100): Workload {
  manualSeed(0);
  const model = buildClassifier(lab8Cells[kind], 10, 40);
  const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
  const data = mnist1dLike(40 * batch, 11);
  const loader = new DataLoader(data, { batchSize: batch });
  const batches = [...loader];
  let k = 0;
  return {
    name: `lab8-${kind}`,
    torchName: `lab8-${kind}`,
    description: `Lab 8 ${kind} (library: buildClassifier, Adam + weight decay, train), batch ${batch}, 40 steps, hidden 10`,
    step: async () => (await train([batches[k++ % batches.length]!], model, opt, crossEntropyLoss))[0],
    parameters: () => model.parameters(),
    dispose: () => {
      loader.dispose();
      disposeDataset(data);
      opt.dispose();
      model.dispose();
    },
  };
}

/**
 * A whole Lab 8 epoch as `run` does it: `train` over 40 batches of 100, then `test` over 10
 * (MNIST-1D's 4000 training and 1000 test samples). One step is one epoch.
 */
export function lab8Epoch(kind: CellKind): Workload {
  manualSeed(0);
  const model = buildClassifier(lab8Cells[kind], 10, 40);
  const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
  const trainSet = mnist1dLike(4000, 21);
  const testSet = mnist1dLike(1000, 31);
  const trainLoader = new DataLoader(trainSet, { batchSize: 100 });
  const testLoader = new DataLoader(testSet, { batchSize: 100 });
  return {
    name: `lab8-${kind}-epoch`,
    torchName: `lab8-${kind}-epoch`,
    description: `one Lab 8 ${kind} epoch: train over 40 batches of 100, test over 10`,
    step: async () => {
      const [loss] = await train(trainLoader, model, opt, crossEntropyLoss);
      await test(testLoader, model, crossEntropyLoss);
      return loss;
    },
    dispose: () => {
      trainLoader.dispose();
      testLoader.dispose();
      disposeDataset(trainSet);
      disposeDataset(testSet);
      opt.dispose();
      model.dispose();
    },
  };
}

/** Lab sheet 9's RNN_Model: nn.RNN(28, 128, batch_first=True), Linear(128, 10) on the last step. */
class RNNModel extends Module {
  readonly rnn = new RNN(28, 128, { batchFirst: true });
  readonly fc = new Linear(128, 10);

  forward(x: tf.Tensor): tf.Tensor {
    const out = this.rnn.apply(x); // [N, T, 128]
    const [n, t, h] = out.shape as [number, number, number];
    return this.fc.apply(tf.reshape(tf.slice(out, [0, t - 1, 0], [n, 1, h]), [n, h]));
  }
}

/** Lab sheet 9's LSTM_Model: 2-layer nn.LSTM(28, 128, batch_first=True), Linear(128, 10) on hn[-1]. */
class LSTMModel extends Module {
  readonly lstm = new LSTM(28, 128, { numLayers: 2, batchFirst: true });
  readonly fc = new Linear(128, 10);

  forward(x: tf.Tensor): tf.Tensor {
    const [, [hn]] = this.lstm.call(x); // hn: [2, N, 128]
    const [l, n, h] = hn.shape as [number, number, number];
    return this.fc.apply(tf.reshape(tf.slice(hn, [l - 1, 0, 0], [1, n, h]), [n, h]));
  }
}

/** Lab sheet 9's models through the library: Module, RNN / LSTM, Linear, Adam(lr 1e-3), crossEntropyLoss. */
export function seed004Lib(kind: 'rnn' | 'lstm', batch = 64): Workload {
  manualSeed(0);
  const model = kind === 'rnn' ? new RNNModel() : new LSTMModel();
  const opt = new Adam(model.parameters(), 1e-3);
  const x = tf.randomNormal([batch, 28, 28], 0, 1, 'float32', 41);
  const y = tf.randomUniform([batch], 0, 10, 'int32', 42);
  return {
    name: `${kind}004-lib`,
    torchName: `${kind}004`,
    description: `Lab sheet 9 ${kind === 'rnn' ? 'RNN_Model' : 'LSTM_Model'} (library modules), batch ${batch}`,
    step: () => {
      const loss = opt.minimize(() => crossEntropyLoss(model.apply(x), y));
      const v = loss.dataSync()[0]!;
      loss.dispose();
      return v;
    },
    parameters: () => model.parameters(),
    dispose: () => {
      tf.dispose([x, y]);
      opt.dispose();
      model.dispose();
    },
  };
}

/** Lab sheet 9's models written as hand-made cells (time-major loop, one matmul per step). */
export function seed004Hand(kind: 'rnn' | 'lstm', batch = 64): Workload {
  const H = 128;
  const T = 28;
  const D = 28;
  const layers = kind === 'rnn' ? [cellParams('vanilla', D, H)] : [cellParams('lstm', D, H), cellParams('lstm', H, H)];
  const fcW = uniform([H, 10], 1 / Math.sqrt(H), uname('fcw'));
  const fcB = uniform([10], 1 / Math.sqrt(H), uname('fcb'));
  const params = [...layers.flatMap((l) => [l.wxh, l.whh, l.bxh, l.bhh]), fcW, fcB];
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const { x, y } = randomBatch([batch, T, D], 10, batch);
  return {
    name: `${kind}004-hand`,
    torchName: `${kind}004`,
    description: `Lab sheet 9 ${kind === 'rnn' ? 'RNN_Model' : 'LSTM_Model'} (hand-written cells), batch ${batch}`,
    step: () =>
      trainStep(params, opt, 0, () => {
        let xs = tf.transpose(x, [1, 0, 2]) as tf.Tensor3D;
        let last: tf.Tensor2D | undefined;
        layers.forEach((l, i) => {
          const hs = runCell(kind === 'rnn' ? 'vanilla' : 'lstm', l, xs, H);
          last = hs[hs.length - 1];
          if (i < layers.length - 1) xs = tf.stack(hs) as tf.Tensor3D;
        });
        const logits = tf.add(tf.matMul(last!, fcW), fcB) as tf.Tensor2D;
        return crossEntropy(logits, y);
      }),
    dispose: () => {
      tf.dispose([...params, x, y]);
      opt.dispose();
    },
  };
}

/** Lab sheet 9's models with tf.layers (simpleRNN / lstm with recurrentActivation 'sigmoid'). */
export function seed004Layers(kind: 'rnn' | 'lstm', batch = 64): Workload {
  const H = 128;
  const T = 28;
  const D = 28;
  const model = tf.sequential();
  if (kind === 'rnn') {
    model.add(tf.layers.simpleRNN({ units: H, activation: 'tanh', inputShape: [T, D] }));
  } else {
    model.add(tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [T, D] }));
    model.add(tf.layers.lstm({ units: H, recurrentActivation: 'sigmoid' }));
  }
  model.add(tf.layers.dense({ units: 10 }));
  const params = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const opt = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  const { x, y } = randomBatch([batch, T, D], 10, batch);
  return {
    name: `${kind}004-layers`,
    torchName: `${kind}004`,
    description: `Lab sheet 9 ${kind === 'rnn' ? 'RNN_Model' : 'LSTM_Model'} (tf.layers), batch ${batch}`,
    step: () => trainStep(params, opt, 0, () => crossEntropy(model.apply(x, { training: true }) as tf.Tensor2D, y)),
    dispose: () => {
      model.dispose();
      tf.dispose([x, y]);
      opt.dispose();
    },
  };
}

export interface WorkloadSpec {
  name: string;
  make: () => Workload;
  /** Steps (batches, or epochs for *-epoch) to time after the warm-up. */
  batches: number;
  /** Untimed steps first (default: the --warmup flag). */
  warmup?: number;
  /** What one step is, for the table. */
  unit: 'batch' | 'epoch';
}

export const WORKLOADS: WorkloadSpec[] = [
  { name: 'lab8-vanilla', make: () => lab8('vanilla'), batches: 40, unit: 'batch' },
  { name: 'lab8-gru', make: () => lab8('gru'), batches: 40, unit: 'batch' },
  { name: 'lab8-lstm', make: () => lab8('lstm'), batches: 40, unit: 'batch' },
  { name: 'lab8-vanilla-epoch', make: () => lab8Epoch('vanilla'), batches: 5, warmup: 1, unit: 'epoch' },
  { name: 'lab8-gru-epoch', make: () => lab8Epoch('gru'), batches: 5, warmup: 1, unit: 'epoch' },
  { name: 'lab8-lstm-epoch', make: () => lab8Epoch('lstm'), batches: 5, warmup: 1, unit: 'epoch' },
  { name: 'rnn004-lib', make: () => seed004Lib('rnn'), batches: 20, unit: 'batch' },
  { name: 'rnn004-hand', make: () => seed004Hand('rnn'), batches: 20, unit: 'batch' },
  { name: 'rnn004-layers', make: () => seed004Layers('rnn'), batches: 20, unit: 'batch' },
  { name: 'lstm004-lib', make: () => seed004Lib('lstm'), batches: 10, unit: 'batch' },
  { name: 'lstm004-hand', make: () => seed004Hand('lstm'), batches: 10, unit: 'batch' },
  { name: 'lstm004-layers', make: () => seed004Layers('lstm'), batches: 10, unit: 'batch' },
];
