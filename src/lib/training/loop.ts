/**
 * `train` (one epoch with gradient steps) and `test` (evaluation) as in the lab's utilities. The
 * loss and the number of correct predictions are summed as tensors and read once per epoch, so the
 * batch loop never waits for the backend.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module.js';
import { accumulate, countCorrect } from './metrics.js';
import type { Adam } from './optim.js';

/** A loss on (logits, labels), e.g. `crossEntropyLoss`. */
export type Criterion = (outputs: tf.Tensor, labels: tf.Tensor) => tf.Scalar;

async function readEpoch(lossSum: tf.Scalar | null, correctSum: tf.Scalar | null, batches: number, total: number): Promise<[number, number]> {
  if (!lossSum || !correctSum || batches === 0) throw new Error('the data loader yielded no batches');
  const [loss, correct] = await Promise.all([lossSum.data(), correctSum.data()]);
  lossSum.dispose();
  correctSum.dispose();
  return [loss[0]! / batches, (100 * correct[0]!) / total];
}

/**
 * Trains the model for one epoch over the loader's batches (forward, loss, backward, optimiser
 * step). Returns [average batch loss, accuracy in %].
 */
export async function train(trainLoader: Iterable<tf.Tensor[]>, model: Module, optimizer: Adam, criterion: Criterion): Promise<[number, number]> {
  let lossSum: tf.Scalar | null = null;
  let correctSum: tf.Scalar | null = null;
  let batches = 0;
  let total = 0;
  for (const [inputs, labels] of trainLoader) {
    let correct: tf.Scalar | null = null;
    const loss = optimizer.minimize(() => {
      const outputs = model.apply(inputs!);
      correct = tf.keep(countCorrect(outputs, labels!));
      return criterion(outputs, labels!);
    });
    lossSum = accumulate(lossSum, loss);
    correctSum = accumulate(correctSum, correct!);
    batches++;
    total += labels!.shape[0]!;
  }
  return readEpoch(lossSum, correctSum, batches, total);
}

/** Evaluates the model over the loader's batches without gradients. Returns [average batch loss, accuracy in %]. */
export async function test(testLoader: Iterable<tf.Tensor[]>, model: Module, criterion: Criterion): Promise<[number, number]> {
  let lossSum: tf.Scalar | null = null;
  let correctSum: tf.Scalar | null = null;
  let batches = 0;
  let total = 0;
  for (const [inputs, labels] of testLoader) {
    const [loss, correct] = tf.tidy((): [tf.Scalar, tf.Scalar] => {
      const outputs = model.apply(inputs!);
      return [criterion(outputs, labels!), countCorrect(outputs, labels!)];
    });
    lossSum = accumulate(lossSum, loss);
    correctSum = accumulate(correctSum, correct);
    batches++;
    total += labels!.shape[0]!;
  }
  return readEpoch(lossSum, correctSum, batches, total);
}
