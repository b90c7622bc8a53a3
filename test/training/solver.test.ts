/** The I2DL Solver (src/lib/training/solver.ts): training, validation, logs and the shortened runs. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Flatten, Linear, Sequential } from '../../src/lib/nn/layers.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { Solver } from '../../src/lib/training/solver.js';
import { captureLog as logged, withEnv } from '../helpers/env.js';

before(async () => {
  await tf.setBackend('cpu');
});

describe('Solver', () => {
  /** Two separable classes of 4x4 "images" [N, 1, 4, 4]: bright top half or bright bottom half. */
  function data(n: number, seed: number): TensorDataset {
    const x = new Float32Array(n * 16);
    const y = new Int32Array(n);
    let s = seed;
    const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let p = 0; p < 16; p++) x[i * 16 + p] = ((p < 8) === (y[i] === 0) ? 1 : 0) + 0.3 * (rnd() - 0.5);
    }
    return new TensorDataset(tf.tensor4d(x, [n, 1, 4, 4]), tf.tensor1d(y, 'int32'));
  }

  it('trains and validates as the I2DL solver: logs, histories, accuracy; frees its tensors', async () => {
    manualSeed(0);
    const train = new DataLoader(data(64, 1), { batchSize: 8, shuffle: true });
    const val = new DataLoader(data(20, 2), { batchSize: 8 });
    const model = new Sequential({ flat: new Flatten(), fc: new Linear(16, 2) });
    const solver = new Solver({ optimArgs: { lr: 0.05 } });
    assert.deepEqual(solver.optimArgs, { lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
    val.first(); // the in-order loader slices its batches once and keeps them: not the solver's
    const before = tf.memory().numTensors;
    const out = await withEnv({ RNNKIT_EPOCHS: undefined, RNNKIT_QUICK: undefined, RNNKIT_BATCHES: undefined }, () => logged(() => solver.train(model, train, val, { logNth: 4, numEpochs: 3, plot: false, progress: false })));
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const lines = out.split('\n');
    assert.equal(lines[0], 'START TRAIN.');
    assert.equal(lines.at(-1), 'FINISH.');
    assert.deepEqual(lines.filter((l) => l.startsWith('[Iteration')).map((l) => /^\[Iteration (\d+)\/24\] TRAIN loss: \d\.\d{3}$/.exec(l)?.[1]), ['4', '8', '12', '16', '20', '24']);
    assert.equal(lines.filter((l) => /^\[Epoch [123]\/3\] TRAIN acc\/loss: \d\.\d{3}\/\d\.\d{3}$/.test(l)).length, 3);
    assert.equal(lines.filter((l) => /^\[Epoch [123]\/3\] VAL {3}acc\/loss: \d\.\d{3}\/\d\.\d{3}$/.test(l)).length, 3);
    assert.equal(solver.trainLossHistory.length, 24);
    assert.equal(solver.trainAccHistory.length, 3);
    assert.equal(solver.valAccHistory.length, 3);
    assert.equal(solver.valLossHistory.length, 3);
    assert.ok(solver.trainLossHistory.at(-1)! < solver.trainLossHistory[0]!, 'the loss goes down');
    assert.equal(solver.valAccHistory.at(-1), 1, 'separable data: all validation samples right');
    assert.ok(lines.some((l) => l === '[Epoch 3/3] VAL   acc/loss: 1.000/' + solver.valLossHistory[2]!.toFixed(3)));
    // without logNth: no iteration or epoch lines, histories still kept
    const quiet = await logged(() => solver.train(model, train, val, { numEpochs: 1, plot: false, progress: false }));
    assert.equal(quiet, 'START TRAIN.\nFINISH.');
    assert.equal(solver.trainLossHistory.length, 8, 'histories reset');
    train.dispose();
    val.dispose();
    model.dispose();
  });

  it('RNNKIT_EPOCHS and RNNKIT_BATCHES shorten training and validation', async () => {
    const train = new DataLoader(data(64, 3), { batchSize: 8 });
    const val = new DataLoader(data(40, 4), { batchSize: 8 });
    const model = new Sequential({ flat: new Flatten(), fc: new Linear(16, 2) });
    const solver = new Solver();
    await withEnv({ RNNKIT_EPOCHS: '2', RNNKIT_BATCHES: '3' }, () => logged(() => solver.train(model, train, val, { logNth: 1, numEpochs: 10, plot: false, progress: false })));
    assert.equal(solver.trainLossHistory.length, 6);
    assert.equal(solver.valAccHistory.length, 2);
    train.dispose();
    val.dispose();
    model.dispose();
  });

  it('says what is wrong: an empty split, a model that does not classify', async () => {
    const empty = new DataLoader(new TensorDataset(tf.zeros([0, 1, 4, 4]), tf.zeros([0], 'int32')), { batchSize: 8 });
    const val = new DataLoader(data(8, 5), { batchSize: 8 });
    const model = new Sequential({ flat: new Flatten(), fc: new Linear(16, 2) });
    await assert.rejects(new Solver().train(model, empty, val), /trainLoader has no batches .*training\/validation split/);
    const wrong = new Sequential({ fc: new Linear(4, 2) });
    await assert.rejects(logged(() => new Solver().train(wrong, val, val, { plot: false, progress: false })), /the model returned shape \[8, 1, 4, 2\] for a batch of 8; a classifier returns \[8, classes\]/);
    assert.throws(() => new Solver({ optimArgs: { lr: 0 } }), /lr must be a positive number/);
    val.dispose();
    model.dispose();
    wrong.dispose();
  });
});
