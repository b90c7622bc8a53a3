/**
 * The I2DL exercises' `Solver` (`exercise_code.rnn.solver.Solver`) for TensorFlow.js:
 *
 * ```ts
 * const solver = new Solver({ optimArgs: { lr: 1e-3 } });            // Solver(optim_args={"lr": 1e-3})
 * await solver.train(model, trainLoader, valLoader, { logNth: 50, numEpochs: 10 });
 * ```
 *
 * What `train` does, as the original:
 * - a new Adam (PyTorch semantics; I2DL's defaults lr 1e-4, betas (0.9, 0.999), eps 1e-8, no weight
 *   decay, overridden by `optimArgs`) over `model.parameters()`, the histories reset;
 * - prints `START TRAIN.`; per epoch the model is put in training mode and every batch of the
 *   training loader takes one step on the loss (default cross-entropy); every `logNth` iterations
 *   it prints `[Iteration i/total] TRAIN loss: x.xxx`, the mean loss of the last `logNth` iterations;
 * - after each epoch `[Epoch e/E] TRAIN acc/loss: a.aaa/l.lll`, then the model is evaluated on the
 *   validation loader (evaluation mode, no gradients) and `[Epoch e/E] VAL   acc/loss: a.aaa/l.lll`
 *   (accuracies as fractions, as the original prints them); finally `FINISH.`.
 *
 * Two choices differ from the PyTorch original, for steadier numbers: the epoch's TRAIN accuracy and
 * loss are over all its batches (the original took the accuracy of the last batch and the loss of the
 * last `logNth` iterations), and the VAL accuracy is correct / total over the samples (the original
 * averaged per-batch accuracies, which weighs a smaller last batch more).
 *
 * Added for notebooks: a progress bar over all iterations and a live chart (loss per iteration,
 * train and validation accuracy per epoch). `trainLossHistory` (every iteration), `trainAccHistory`,
 * `valAccHistory` and `valLossHistory` (per epoch) hold the numbers afterwards.
 *
 * Settings for tests and CI (they only ever shorten): RNNKIT_EPOCHS / RNNKIT_QUICK limit the epochs,
 * RNNKIT_BATCHES limits the batches per epoch of both the training and the validation pass.
 */
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../nn/functional.js';
import type { Module } from '../nn/module.js';
import { LiveFigure, type Figure } from '../plots.js';
import { ProgressBar } from '../progress.js';
import { limit } from '../settings.js';
import type { Criterion } from './loop.js';
import { accumulate, countCorrect } from './metrics.js';
import { Adam } from './optim.js';

export interface SolverOptimArgs {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export interface SolverOptions {
  /** Adam's arguments (`optim_args`), merged into `Solver.defaultAdamArgs`. */
  optimArgs?: SolverOptimArgs;
  /** The loss on (logits, labels) (`loss_func`, default cross-entropy). */
  lossFunc?: Criterion;
}

export interface SolverTrainOptions {
  /** Epochs (`num_epochs`, default 10; RNNKIT_EPOCHS / RNNKIT_QUICK shorten it). */
  numEpochs?: number;
  /** Print the training loss every `logNth` iterations (`log_nth`, default 0: no iteration lines, no epoch lines). */
  logNth?: number;
  /** Show the live chart (default true) and the progress bar (default true). */
  plot?: boolean;
  progress?: boolean;
}

/** A data loader as the solver uses it: batches `[inputs, labels]` and their number per epoch. */
export interface BatchSource extends Iterable<tf.Tensor[]> {
  readonly length: number;
}

const f3 = (x: number): string => x.toFixed(3);

/** Lets the kernel send queued outputs (progress bar, chart) while a long loop runs. */
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class Solver {
  /** I2DL's default Adam arguments. */
  static readonly defaultAdamArgs: Required<SolverOptimArgs> = { lr: 1e-4, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 };

  readonly optimArgs: Required<SolverOptimArgs>;
  readonly lossFunc: Criterion;
  trainLossHistory: number[] = [];
  trainAccHistory: number[] = [];
  valAccHistory: number[] = [];
  valLossHistory: number[] = [];

  constructor(options: SolverOptions = {}) {
    const args = { ...Solver.defaultAdamArgs, ...(options.optimArgs ?? {}) };
    if (!(typeof args.lr === 'number' && args.lr > 0)) throw new RangeError(`Solver: lr must be a positive number, got ${String(args.lr)}`);
    this.optimArgs = args;
    this.lossFunc = options.lossFunc ?? crossEntropyLoss;
  }

  /** Empties the histories (the start of every `train`). */
  resetHistories(): void {
    this.trainLossHistory = [];
    this.trainAccHistory = [];
    this.valAccHistory = [];
    this.valLossHistory = [];
  }

  /** The live chart: loss per iteration, accuracies per epoch. */
  figure(totalIterations: number): Figure {
    const epochs = this.trainAccHistory.map((_, i) => i + 1);
    return {
      data: [
        { x: this.trainLossHistory.map((_, i) => i + 1), y: this.trainLossHistory, type: 'scatter', mode: 'lines', name: 'train loss', line: { width: 1 }, xaxis: 'x', yaxis: 'y' },
        { x: epochs, y: this.trainAccHistory, type: 'scatter', mode: 'lines+markers', name: 'train acc', xaxis: 'x2', yaxis: 'y2' },
        { x: epochs, y: this.valAccHistory, type: 'scatter', mode: 'lines+markers', name: 'val acc', xaxis: 'x2', yaxis: 'y2' },
      ],
      layout: {
        title: { text: 'Solver.train' },
        height: 380,
        grid: { rows: 1, columns: 2, pattern: 'independent' },
        xaxis: { title: { text: 'iteration' }, range: [0, Math.max(1, totalIterations)] },
        yaxis: { title: { text: 'loss' } },
        xaxis2: { title: { text: 'epoch' }, dtick: 1 },
        yaxis2: { title: { text: 'accuracy' }, range: [0, 1] },
      },
    };
  }

  /**
   * Trains `model` on `trainLoader`, validating after every epoch on `valLoader` (see the module
   * comment). Frees every tensor it makes; the optimiser's state is freed at the end.
   */
  async train(model: Module, trainLoader: BatchSource, valLoader: BatchSource, options: SolverTrainOptions = {}): Promise<void> {
    if (!model || typeof (model as Module).parameters !== 'function' || typeof (model as Module).apply !== 'function') {
      throw new TypeError('Solver.train: the model must be a Module (with parameters() and apply())');
    }
    for (const [what, l] of [['trainLoader', trainLoader], ['valLoader', valLoader]] as const) {
      if (!l || typeof (l as Iterable<unknown>)[Symbol.iterator] !== 'function') throw new TypeError(`Solver.train: ${what} must be a DataLoader`);
      if (l.length === 0) throw new Error(`Solver.train: ${what} has no batches (is its dataset empty? check the training/validation split)`);
    }
    const logNth = options.logNth ?? 0;
    if (!Number.isSafeInteger(logNth) || logNth < 0) throw new RangeError(`Solver.train: logNth must be a non-negative integer, got ${logNth}`);
    const numEpochs = limit('epochs', options.numEpochs ?? 10);
    const params = model.parameters();
    if (params.length === 0) throw new Error('Solver.train: the model has no parameters to train');
    const { lr, betas, eps, weightDecay } = this.optimArgs;
    const optim = new Adam(params, lr, { betas, eps, weightDecay });
    this.resetHistories();
    // a DataLoader's length already counts only the batches a (shortened) pass yields
    const iterPerEpoch = trainLoader.length;
    const valBatches = valLoader.length;
    const total = iterPerEpoch * numEpochs;

    console.log('START TRAIN.');
    const chart = (options.plot ?? true) ? new LiveFigure(this.figure(total)) : undefined;
    const bar = (options.progress ?? true) ? new ProgressBar(total, { desc: 'train' }) : undefined;
    let pending: tf.Scalar[] = [];
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return;
      const stacked = tf.stack(pending);
      const vals = await stacked.data();
      stacked.dispose();
      tf.dispose(pending);
      pending = [];
      for (const v of vals) this.trainLossHistory.push(v);
    };
    try {
      for (let epoch = 0; epoch < numEpochs; epoch++) {
        // TRAINING
        model.train();
        let correct: tf.Scalar | null = null;
        let seen = 0;
        let i = 0;
        const epochStart = this.trainLossHistory.length;
        for (const batch of trainLoader) {
          i++;
          const [inputs, targets] = batch;
          if (!inputs || !targets) throw new Error('Solver.train: every batch must be [inputs, labels]');
          let batchCorrect: tf.Scalar | null = null;
          const loss = optim.minimize(() => {
            const outputs = model.apply(inputs);
            checkOutputs(outputs, targets);
            batchCorrect = tf.keep(countCorrect(outputs, targets));
            return this.lossFunc(outputs, targets);
          });
          pending.push(loss);
          correct = accumulate(correct, batchCorrect!);
          seen += targets.shape[0]!;
          bar?.update(1, { epoch: `${epoch + 1}/${numEpochs}` });
          if (logNth && i % logNth === 0) {
            await flush();
            const last = this.trainLossHistory.slice(-logNth);
            console.log(`[Iteration ${i + epoch * iterPerEpoch}/${total}] TRAIN loss: ${f3(mean(last))}`);
            chart?.update(this.figure(total));
            await yieldToEventLoop();
          }
          if (i >= iterPerEpoch) break;
        }
        await flush();
        const trainAcc = correct ? (await correct.data())[0]! / Math.max(1, seen) : 0;
        correct?.dispose();
        const trainLoss = mean(this.trainLossHistory.slice(epochStart));
        this.trainAccHistory.push(trainAcc);
        if (logNth) console.log(`[Epoch ${epoch + 1}/${numEpochs}] TRAIN acc/loss: ${f3(trainAcc)}/${f3(trainLoss)}`);

        // VALIDATION
        model.eval();
        let valLoss: tf.Scalar | null = null;
        let valCorrect: tf.Scalar | null = null;
        let valSeen = 0;
        let vb = 0;
        for (const [inputs, targets] of valLoader) {
          vb++;
          const [l, c] = tf.tidy((): [tf.Scalar, tf.Scalar] => {
            const outputs = model.apply(inputs!);
            checkOutputs(outputs, targets!);
            return [this.lossFunc(outputs, targets!), countCorrect(outputs, targets!)];
          });
          valLoss = accumulate(valLoss, l);
          valCorrect = accumulate(valCorrect, c);
          valSeen += targets!.shape[0]!;
          if (vb >= valBatches) break;
        }
        model.train();
        const [vl, vc] = await Promise.all([valLoss!.data(), valCorrect!.data()]);
        tf.dispose([valLoss!, valCorrect!]);
        const valAcc = vc[0]! / Math.max(1, valSeen);
        const valMeanLoss = vl[0]! / Math.max(1, vb);
        this.valAccHistory.push(valAcc);
        this.valLossHistory.push(valMeanLoss);
        if (logNth) console.log(`[Epoch ${epoch + 1}/${numEpochs}] VAL   acc/loss: ${f3(valAcc)}/${f3(valMeanLoss)}`);
        bar?.update(0, { epoch: `${epoch + 1}/${numEpochs}`, val_acc: valAcc });
        chart?.update(this.figure(total));
        await yieldToEventLoop();
      }
    } finally {
      tf.dispose(pending);
      bar?.close();
      chart?.close();
      optim.dispose();
    }
    console.log('FINISH.');
  }
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

function checkOutputs(outputs: tf.Tensor, labels: tf.Tensor): void {
  if (!(outputs instanceof tf.Tensor)) throw new TypeError(`Solver.train: the model returned ${typeof outputs}, not a tensor`);
  const n = labels.shape[0];
  if (outputs.rank !== 2 || outputs.shape[0] !== n) {
    throw new Error(`Solver.train: the model returned shape [${outputs.shape.join(', ')}] for a batch of ${n}; a classifier returns [${n}, classes]`);
  }
}
