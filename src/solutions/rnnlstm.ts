/**
 * Reference solutions of the RNN / LSTM exercise sheet (seed 001, notebooks/ex_rnn_lstm_mnist.ipynb):
 * Exercise 2.1 (`RecurrentModel`, `compareConfigs`) and Exercise 3 (`searchHyperparameters`).
 *
 * Each declaration is the notebook's task cell with the solution filled in between
 * `// BEGIN SOLUTION` and `// END SOLUTION` (the instructor build and the kernel's instructor
 * toggle fill the notebook's task regions from this file). The regions may only use what the
 * notebook's setup cell imports and the notebook's own declarations (`RecurrentModel`,
 * `compareConfigs`), because the instructor build copies them into the notebook.
 */
import * as tf from '@tensorflow/tfjs';
import { Linear } from '../lib/nn/layers.js';
import { Module } from '../lib/nn/module.js';
import { crossEntropyLoss } from '../lib/nn/functional.js';
import { LSTM, RNN } from '../lib/nn/recurrent.js';
import { ProgressBar } from '../lib/progress.js';
import { manualSeed } from '../lib/random/torch-generator.js';
import {
  configLabel, modelConfig, takeBatches,
  type CompareOptions, type ComparisonResult, type FullModelConfig, type ModelConfig, type SearchData, type SearchGrid, type SearchResult,
} from '../lib/training/comparison.js';
import { DataLoader } from '../lib/training/data.js';
import { Adam } from '../lib/training/optim.js';

/**
 * The RNN and the LSTM of Exercise 1.1 in one class, configured by a `ModelConfig`:
 * `rnn` is an `RNN` (with `config.nonlinearity`) or an `LSTM` with `config.numLayers` layers
 * (batch first), `fcExtra` the additional fully connected layer (hidden -> hidden, followed by a
 * ReLU) when `config.extraFc` is set, `fc` the readout layer (hidden -> output). They are created
 * in that order. `forward` runs the recurrent layers from zero initial states and passes the output
 * of the last time step through `fcExtra` (if any) and `fc`.
 */
export class RecurrentModel extends Module {
  /** The configuration with its defaults filled in (hiddenSize 128, inputSize 28, outputSize 10, ...). */
  readonly config: FullModelConfig;

  // The recurrent layers: an RNN or an LSTM
  rnn: RNN | LSTM | null = null;

  // The additional fully connected layer (only with config.extraFc)
  fcExtra: Linear | null = null;

  // The readout layer
  fc: Linear | null = null;

  constructor(config: ModelConfig) {
    super();
    this.config = modelConfig(config);
    const { type, numLayers, nonlinearity, extraFc, hiddenSize, inputSize, outputSize } = this.config;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    this.rnn = type === 'rnn'
      ? new RNN(inputSize, hiddenSize, { numLayers, nonlinearity, batchFirst: true })
      : new LSTM(inputSize, hiddenSize, { numLayers, batchFirst: true });
    if (extraFc) this.fcExtra = new Linear(hiddenSize, hiddenSize);
    this.fc = new Linear(hiddenSize, outputSize);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////
  }

  /** x: [batch, time steps, inputSize] -> class scores [batch, outputSize]. */
  forward(x: tf.Tensor): tf.Tensor {
    let out: tf.Tensor | null = null;

    //////////////////////////////////////////////////////////////////////////
    //                          START OF YOUR CODE                          //
    //////////////////////////////////////////////////////////////////////////
    // BEGIN SOLUTION
    const { numLayers, hiddenSize } = this.config;
    const [batch, steps] = [x.shape[0]!, x.shape[1]!];
    // Initial hidden (and cell) state: zeros of shape [numLayers, batch, hiddenSize]
    const h0 = tf.zeros([numLayers, batch, hiddenSize]);
    const [seq] = this.rnn instanceof LSTM ? this.rnn.call(x, [h0, tf.zeros([numLayers, batch, hiddenSize])]) : this.rnn!.call(x, h0);
    // The output of the last time step: [batch, hiddenSize]
    let h = seq.slice([0, steps - 1, 0], [batch, 1, hiddenSize]).reshape([batch, hiddenSize]);
    if (this.fcExtra) h = tf.relu(this.fcExtra.apply(h));
    out = this.fc!.apply(h);
    // END SOLUTION
    //////////////////////////////////////////////////////////////////////////
    //                           END OF YOUR CODE                           //
    //////////////////////////////////////////////////////////////////////////

    if (out === null) throw new Error('RecurrentModel.forward is not written yet (between START and END OF YOUR CODE)');
    return out;
  }
}

/**
 * Trains a fresh `RecurrentModel` for every configuration with the same budget and returns the
 * final test accuracies, one result per configuration, in order:
 * - `manualSeed(options.seed ?? 0)` before building each model (a fair start for all);
 * - a shuffled `DataLoader` over `options.trainDataset` with `options.batchSize` (default 100),
 *   `Adam` with `options.lr` (default 0.001), `crossEntropyLoss`, for `options.iterations`
 *   (default 3000) optimiser steps, reshuffling at every epoch as the seed's loops do;
 * - the accuracy (percent) on `options.testLoader`, also after the iterations of
 *   `options.evaluateAt` (into `history`).
 * Uses only its arguments, never the notebook's data variables: the grader calls it with data of
 * its own.
 */
export async function compareConfigs(configs: ModelConfig[], options: CompareOptions): Promise<ComparisonResult[]> {
  const results: ComparisonResult[] = [];

  //////////////////////////////////////////////////////////////////////////
  //                          START OF YOUR CODE                          //
  //////////////////////////////////////////////////////////////////////////
  // BEGIN SOLUTION
  const { trainDataset, testLoader, iterations = 3000, batchSize = 100, lr = 0.001, seed = 0 } = options;
  if (!Number.isSafeInteger(iterations) || iterations < 1) throw new RangeError(`compareConfigs: iterations must be a positive integer, got ${iterations}`);
  const checkpoints = new Set([...(options.evaluateAt ?? []), iterations]);

  // Accuracy (%) on the test loader, without gradients; RNNKIT_BATCHES shortens it in tests
  const testAccuracy = (model: RecurrentModel): number => {
    let correct = 0;
    let total = 0;
    for (const [images, labels] of takeBatches(testLoader)) {
      const c = tf.tidy(() => {
        const outputs = model.apply(images!.reshape([images!.shape[0]!, -1, model.config.inputSize]));
        return tf.sum(tf.cast(tf.equal(tf.argMax(outputs, 1), labels!), 'int32'));
      });
      correct += c.dataSync()[0]!;
      c.dispose();
      total += labels!.shape[0]!;
    }
    return (100 * correct) / total;
  };

  const bar = options.progress === false ? undefined : new ProgressBar(configs.length * iterations, { desc: 'compareConfigs', minIntervalMs: 500 });
  try {
    for (const config of configs) {
      const label = configLabel(config);
      const t0 = performance.now();
      manualSeed(seed);
      const model = new RecurrentModel(config);
      const trainLoader = new DataLoader(trainDataset, { batchSize, shuffle: true });
      if (trainLoader.length === 0) throw new Error('compareConfigs: the training set is empty');
      const optimizer = new Adam(model.parameters(), lr);
      const history: { iteration: number; loss: number; accuracy: number }[] = [];
      let iter = 0;
      let lastLoss = NaN;
      try {
        while (iter < iterations) {
          for (const [images, labels] of trainLoader) {
            const loss = optimizer.minimize(() => crossEntropyLoss(model.apply(images!.reshape([images!.shape[0]!, -1, model.config.inputSize])), labels!));
            iter += 1;
            if (checkpoints.has(iter)) {
              lastLoss = loss.dataSync()[0]!;
              history.push({ iteration: iter, loss: lastLoss, accuracy: testAccuracy(model) });
            }
            loss.dispose();
            bar?.update(1, { model: label });
            // Let the kernel send its output (and notice an interrupt) between the steps
            await tf.nextFrame();
            if (iter >= iterations) break;
          }
        }
        results.push({
          label, config, accuracy: history[history.length - 1]!.accuracy, loss: lastLoss,
          parameters: model.numParameters(), seconds: (performance.now() - t0) / 1000, history,
        });
      } finally {
        optimizer.dispose();
        trainLoader.dispose();
        model.dispose();
      }
    }
  } finally {
    bar?.close();
  }
  // END SOLUTION
  //////////////////////////////////////////////////////////////////////////
  //                           END OF YOUR CODE                           //
  //////////////////////////////////////////////////////////////////////////

  return results;
}

/**
 * Exercise 3: trains the configuration with every combination of the grid's iteration budgets,
 * batch sizes and learning rates and returns one `{ iterations, batchSize, lr, accuracy }` per
 * combination (test accuracy in percent), best first.
 */
export async function searchHyperparameters(config: ModelConfig, grid: SearchGrid, data: SearchData): Promise<SearchResult[]> {
  const results: SearchResult[] = [];

  //////////////////////////////////////////////////////////////////////////
  //                          START OF YOUR CODE                          //
  //////////////////////////////////////////////////////////////////////////
  // BEGIN SOLUTION
  // One training run per (batch size, learning rate) serves all iteration budgets: it runs for the
  // largest and measures the accuracy after each budget (evaluateAt).
  const budgets = [...new Set(grid.iterations)].sort((a, b) => a - b);
  const longest = budgets[budgets.length - 1]!;
  for (const batchSize of grid.batchSize) {
    for (const lr of grid.lr) {
      const [r] = await compareConfigs([config], { ...data, iterations: longest, batchSize, lr, evaluateAt: budgets });
      for (const h of r!.history!) {
        if (budgets.includes(h.iteration)) results.push({ iterations: h.iteration, batchSize, lr, accuracy: h.accuracy, loss: h.loss });
      }
    }
  }
  results.sort((a, b) => b.accuracy - a.accuracy);
  // END SOLUTION
  //////////////////////////////////////////////////////////////////////////
  //                           END OF YOUR CODE                           //
  //////////////////////////////////////////////////////////////////////////

  return results;
}
