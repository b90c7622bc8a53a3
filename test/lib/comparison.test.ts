/**
 * Seed 001's helpers: model configurations,
 * takeBatches, and the result checks and displays of the comparison and the search.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  accuracyFigure, checkComparison, checkSearch, configLabel, modelConfig, showComparison, showSearch, takeBatches, type ModelConfig,
} from '../../src/lib/training/comparison.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vals: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vals)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return fn();
  } finally {
    set(saved);
  }
}


test('modelConfig fills the seed\'s defaults and refuses bad configurations with a readable message', () => {
  assert.deepEqual(modelConfig({ type: 'rnn', numLayers: 2 }), { type: 'rnn', numLayers: 2, nonlinearity: 'tanh', extraFc: false, hiddenSize: 128, inputSize: 28, outputSize: 10 });
  assert.deepEqual(modelConfig({ type: 'lstm', numLayers: 1, extraFc: true, hiddenSize: 8 }).hiddenSize, 8);
  const bad: [unknown, RegExp][] = [
    [{ type: 'gru', numLayers: 1 }, /type must be 'rnn' or 'lstm', got "gru"/],
    [{ type: 'rnn', numLayers: 0 }, /numLayers must be an integer >= 1, got 0/],
    [{ type: 'rnn' }, /numLayers must be an integer >= 1, got undefined/],
    [{ type: 'rnn', numLayers: 1, nonlinearity: 'sigmoid' }, /nonlinearity must be 'tanh' or 'relu'/],
    [{ type: 'lstm', numLayers: 1, nonlinearity: 'relu' }, /an LSTM has no nonlinearity option/],
    [{ type: 'rnn', numLayers: 1, layers: 3 }, /unknown option 'layers'/],
    [{ type: 'rnn', numLayers: 1, extraFc: 'yes' }, /extraFc must be true or false/],
    [null, /expected an object/],
  ];
  for (const [c, re] of bad) assert.throws(() => modelConfig(c as ModelConfig), re);
});

test('configLabel names a configuration briefly', () => {
  assert.equal(configLabel({ type: 'rnn', numLayers: 2 }), 'RNN 2L tanh');
  assert.equal(configLabel({ type: 'rnn', numLayers: 3, nonlinearity: 'relu', extraFc: true }), 'RNN 3L relu +FC');
  assert.equal(configLabel({ type: 'lstm', numLayers: 1, extraFc: true, hiddenSize: 8 }), 'LSTM 1L +FC H8');
});

test('takeBatches: all batches by default, the first n with RNNKIT_BATCHES or a limit; leaving early frees the shuffled batch', () => {
  const ds = new TensorDataset(tf.range(0, 10).reshape([10, 1]), tf.range(0, 10, 1, 'int32'));
  const inOrder = new DataLoader(ds, { batchSize: 3 });
  const shuffled = new DataLoader(ds, { batchSize: 3, shuffle: true });
  withEnv({ RNNKIT_BATCHES: undefined, RNNKIT_QUICK: undefined }, () => {
    assert.equal([...takeBatches(inOrder)].length, 4);
    assert.equal([...takeBatches(inOrder, 2)].length, 2);
    assert.equal([...takeBatches(inOrder, 0)].length, 0);
  });
  withEnv({ RNNKIT_BATCHES: '3' }, () => assert.deepEqual([...takeBatches(inOrder)].map(([x]) => x!.shape[0]), [3, 3, 3]));
  const before = tf.memory().numTensors;
  for (const [x] of takeBatches(shuffled, 2)) assert.equal(x!.shape[0], 3);
  assert.equal(tf.memory().numTensors, before, 'the shuffled batches are freed');
  assert.throws(() => [...takeBatches(inOrder, -1)], /limit must be a non-negative integer/);
  inOrder.dispose();
  shuffled.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('checkComparison / checkSearch say what is wrong with a result; showComparison / showSearch draw and tabulate', () => {
  const configs: ModelConfig[] = [{ type: 'rnn', numLayers: 1 }, { type: 'lstm', numLayers: 2, extraFc: true }];
  assert.throws(() => checkComparison(undefined, configs), /compareConfigs: expected an array of results, got undefined/);
  assert.throws(() => checkComparison([], configs), /returned no results \(expected one per configuration, 2\)/);
  assert.throws(() => checkComparison([{ accuracy: 90 }], configs), /returned 1 results for 2 configurations/);
  assert.throws(() => checkComparison([{ accuracy: 90 }, { accuracy: 0.9e3 }], configs), /result 1 \(LSTM 2L \+FC\) has accuracy 900; expected a number of percent/);
  assert.throws(() => checkSearch([]), /searchHyperparameters: returned no results/);
  assert.throws(() => checkSearch([{ iterations: 10, batchSize: 5, accuracy: 50 }]), /result 0 has lr undefined; expected a number/);

  const logged: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { logged.push(a.join(' ')); };
  try {
    showComparison([{ label: 'RNN 1L tanh', config: configs[0]!, accuracy: 91.5, parameters: 21514, seconds: 3.25 }, { label: 'LSTM 2L +FC', config: configs[1]!, accuracy: 97.25 }], configs);
    showSearch([{ iterations: 250, batchSize: 50, lr: 0.1, accuracy: 11.35 }, { iterations: 1000, batchSize: 100, lr: 0.001, accuracy: 96.5 }]);
  } finally {
    console.log = log;
  }
  const text = logged.join('\n');
  assert.match(text, /\[plot: Exercise 2: final test accuracy per configuration/);
  assert.match(text, /RNN 1L tanh +91\.5 +21514 +3\.3/);
  // the search table is sorted best first
  assert.ok(text.indexOf('1000        100') < text.indexOf('250         50'), text);
  const fig = accuracyFigure([{ label: 'a', accuracy: 42 }, { label: 'b', accuracy: 99 }]);
  assert.deepEqual((fig.data[0] as { x: number[] }).x, [42, 99]);
  assert.deepEqual((fig.layout!.xaxis as { range: number[] }).range, [35, 100]);
});
