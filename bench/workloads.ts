/**
 * Training workloads for `npm run bench`: one call of `step()` is one training batch (forward,
 * backward, optimiser update, loss read back to JavaScript).
 *
 * - lab8-{vanilla,gru,lstm}: Lab 8's model (seed 000): input [100, 40] -> unflatten to 40 steps
 *   of 1 feature -> hand-written recurrent cell (hidden 10; weight_xh D x kH, weight_hh H x kH,
 *   bias_xh, bias_hh kH; PyTorch equations; the input projection of all steps in one matmul, then
 *   one matmul per step) -> flatten the 40 outputs -> Linear(400, 10); cross-entropy; Adam lr 1e-2
 *   with PyTorch-style weight decay 1e-3 added to the gradient. A minimal stand-in written for the
 *   bench: the lead may switch it to the library's Lab 8 cells once they exist.
 * - rnn004 / lstm004: seed 004's RNN_Model (nn.RNN(28, 128) tanh, last step -> Linear(128, 10))
 *   and LSTM_Model (2-layer nn.LSTM(28, 128), last hidden -> Linear(128, 10)) on MNIST-shaped
 *   data, batch 64, Adam lr 1e-3; each as tf.layers (`-layers`) and as hand-written cells
 *   (`-hand`).
 * Random data of the right shapes (timing only).
 */
import * as tf from '@tensorflow/tfjs';

export interface Workload {
  name: string;
  /** What PyTorch workload (bench/torch_bench.py) it is compared with. */
  torchName: string;
  description: string;
  /** One training batch; returns the loss. */
  step(): number;
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
function runCell(kind: CellKind, p: CellParams, xs: tf.Tensor3D, h: number): tf.Tensor2D[] {
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
    } else if (kind === 'gru') {
      const [xr, xz, xn] = tf.split(xt, 3, 1) as tf.Tensor2D[];
      const [hr, hz, hn] = tf.split(hp, 3, 1) as tf.Tensor2D[];
      const r = tf.sigmoid(tf.add(xr!, hr!));
      const z = tf.sigmoid(tf.add(xz!, hz!));
      const n = tf.tanh(tf.add(xn!, tf.mul(r, hn!)));
      // h' = (1 - z) * n + z * h  =  n + z * (h - n)
      hPrev = tf.add(n, tf.mul(z, tf.sub(hPrev, n)));
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

export function lab8(kind: CellKind, batch = 100): Workload {
  const H = 10;
  const T = 40;
  const cell = cellParams(kind, 1, H);
  const fcW = uniform([T * H, 10], 1 / Math.sqrt(T * H), uname('fcw'));
  const fcB = uniform([10], 1 / Math.sqrt(T * H), uname('fcb'));
  const params = [cell.wxh, cell.whh, cell.bxh, cell.bhh, fcW, fcB];
  const opt = tf.train.adam(1e-2, 0.9, 0.999, 1e-8);
  const { x, y } = randomBatch([batch, T], 10, batch);
  return {
    name: `lab8-${kind}`,
    torchName: `lab8-${kind}`,
    description: `Lab 8 ${kind} cell, batch ${batch}, 40 steps, hidden 10, Adam + wd`,
    step: () =>
      trainStep(params, opt, 1e-3, () => {
        // [N, 40] -> [N, 40, 1] -> time-major [40, N, 1]
        const xs = tf.transpose(tf.reshape(x, [batch, T, 1]), [1, 0, 2]) as tf.Tensor3D;
        const hs = runCell(kind, cell, xs, H);
        // stack -> [T, N, H] -> [N, T, H] -> flatten [N, T*H]
        const flat = tf.reshape(tf.transpose(tf.stack(hs), [1, 0, 2]), [batch, T * H]);
        const logits = tf.add(tf.matMul(flat, fcW), fcB) as tf.Tensor2D;
        return crossEntropy(logits, y);
      }),
    dispose: () => {
      tf.dispose([...params, x, y]);
      opt.dispose();
    },
  };
}

/** seed 004's models written as hand-made cells (time-major loop, one matmul per step). */
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
    description: `seed 004 ${kind === 'rnn' ? 'RNN_Model' : 'LSTM_Model'} (hand-written cells), batch ${batch}`,
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

/** seed 004's models with tf.layers (simpleRNN / lstm with recurrentActivation 'sigmoid'). */
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
    description: `seed 004 ${kind === 'rnn' ? 'RNN_Model' : 'LSTM_Model'} (tf.layers), batch ${batch}`,
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
  /** Batches to time (after warm-up). */
  batches: number;
}

export const WORKLOADS: WorkloadSpec[] = [
  { name: 'lab8-vanilla', make: () => lab8('vanilla'), batches: 30 },
  { name: 'lab8-gru', make: () => lab8('gru'), batches: 30 },
  { name: 'lab8-lstm', make: () => lab8('lstm'), batches: 30 },
  { name: 'rnn004-hand', make: () => seed004Hand('rnn'), batches: 20 },
  { name: 'rnn004-layers', make: () => seed004Layers('rnn'), batches: 20 },
  { name: 'lstm004-hand', make: () => seed004Hand('lstm'), batches: 10 },
  { name: 'lstm004-layers', make: () => seed004Layers('lstm'), batches: 10 },
];
