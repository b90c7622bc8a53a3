/**
 * The library pieces the I2DL RNN notebook uses: timeit, the torchvision-style transforms (against
 * torchvision's values), MNIST as bytes, saving and loading a module's parameters, and the Solver.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mnistBytes, mnistRawTensors } from '../../src/lib/data/mnist-raw.js';
import { loadMnist } from '../../src/lib/data/mnist.js';
import { Compose, Normalize, ToTensor, transforms } from '../../src/lib/data/transforms.js';
import { Flatten, Linear, Sequential } from '../../src/lib/nn/layers.js';
import { LSTM, RNN } from '../../src/lib/nn/recurrent.js';
import { loadModule, MODULE_FORMAT, moduleState, readSavedModule, saveModule } from '../../src/lib/nn/serialize.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { timeit } from '../../src/lib/timing.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { Solver } from '../../src/lib/training/solver.js';
import { captureLog as logged, withEnv } from '../helpers/env.js';
import { fixture, mirror } from '../helpers/paths.js';

const torchTransforms = fixture('nn', 'mnist_transforms.json') as Record<string, number[]>;

before(async () => {
  await tf.setBackend('cpu');
});

describe('timeit', () => {
  it('calls the statement number (+ one warm-up) times, returns seconds and frees what it returns', () => {
    let calls = 0;
    const before = tf.memory().numTensors;
    const s = timeit(() => { calls++; return [tf.ones([3]), tf.zeros([2])]; }, 7);
    assert.equal(calls, 8);
    assert.ok(typeof s === 'number' && s >= 0);
    assert.equal(tf.memory().numTensors, before);
    calls = 0;
    timeit(() => { calls++; }, 3, { warmup: 0 });
    assert.equal(calls, 3);
  });

  it('refuses promises and non-functions', () => {
    assert.throws(() => timeit(async () => 1, 2), /returned a promise/);
    assert.throws(() => timeit(42 as unknown as () => void, 2), /must be a function/);
    assert.throws(() => timeit(() => 0, -1), /non-negative integer/);
  });
});

describe('transforms', () => {
  const bytes = Int32Array.from({ length: 256 }, (_, i) => i);

  it("ToTensor and Normalize(0.5, 0.5) give torchvision's values for every pixel value, bit for bit", () => {
    const x = tf.tensor4d(bytes, [1, 16, 16, 1], 'int32');
    const t = new ToTensor().apply(x);
    assert.deepEqual(t.shape, [1, 1, 16, 16]);
    assert.equal(t.dtype, 'float32');
    const tv = t.dataSync();
    assert.ok(torchTransforms['to_tensor']!.every((v, i) => tv[i] === Math.fround(v)), 'ToTensor');
    const n = new Normalize([0.5], [0.5]).apply(t).dataSync();
    assert.ok(torchTransforms['normalize_0.5_0.5']!.every((v, i) => n[i] === Math.fround(v)), 'Normalize(0.5, 0.5)');
    const m = new Normalize(0.1307, 0.3081).apply(t).dataSync();
    assert.ok(torchTransforms['normalize_0.1307_0.3081']!.every((v, i) => m[i] === Math.fround(v)), 'Normalize(0.1307, 0.3081)');
    tf.dispose([x, t]);
  });

  it('a stack of images gives what one image at a time gives (HWC -> CHW, per-channel statistics)', () => {
    const imgs = tf.tensor4d(Int32Array.from({ length: 3 * 4 * 5 * 2 }, (_, i) => (i * 37) % 256), [3, 4, 5, 2], 'int32');
    const pipeline = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.5, 0.25], [0.5, 2])]);
    const all = pipeline.apply(imgs);
    assert.deepEqual(all.shape, [3, 2, 4, 5]);
    for (let k = 0; k < 3; k++) {
      const one = pipeline.apply(imgs.slice(k, 1).squeeze([0]));
      assert.deepEqual(one.shape, [2, 4, 5]);
      assert.deepEqual(Array.from(one.dataSync()), Array.from(all.slice(k, 1).dataSync()));
    }
    // float32 images keep their values (torchvision scales only uint8)
    const f = tf.tensor3d([0.25, 0.5, 0.75, 1], [2, 2, 1]);
    assert.deepEqual(Array.from(new ToTensor().apply(f).dataSync()), [0.25, 0.5, 0.75, 1]);
  });

  it('Compose frees its intermediates and says what is wrong with bad input', () => {
    const x = tf.zeros([2, 3, 3, 1], 'int32');
    const before = tf.memory().numTensors;
    const y = new Compose([new ToTensor(), new Normalize([0.5], [0.5])]).apply(x);
    assert.equal(tf.memory().numTensors, before + 1);
    y.dispose();
    assert.throws(() => new ToTensor().apply(tf.zeros([28, 28])), /add the channel dimension first/);
    assert.throws(() => new Normalize([0.5], [0])?.apply(y), /division by zero/);
    assert.throws(() => new Normalize([0.5, 0.5], [0.5, 0.5]).apply(tf.zeros([1, 3, 2, 2])), /mean has 2 values for an image with 3 channels/);
    assert.throws(() => new Normalize([0.5], [0.5]).apply(tf.zeros([1, 1, 2, 2], 'int32')), /apply ToTensor first/);
    assert.throws(() => new Compose([{} as never]), /item 0 is not a transform/);
    x.dispose();
  });
});

describe('MNIST as bytes', () => {
  it("mnistBytes gives back every byte from loadMnist's byte / 255 values", () => {
    const images = Float32Array.from({ length: 256 }, (_, b) => b / 255);
    const data = { images, labels: new Uint8Array(256), count: 256 / 256, rows: 16, cols: 16, available: 1, source: 'test' };
    assert.deepEqual(Array.from(mnistBytes(data)), Array.from({ length: 256 }, (_, b) => b));
    assert.throws(() => mnistBytes({ ...data, images: Float32Array.from([0.5]) }), /not a byte \/ 255/);
  });

  it('the training images as int32 bytes; ToTensor of them is loadMnist\'s scaled images', { skip: existsSync(join(mirror, 'mnist')) ? false : 'no MNIST mirror' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'i2dl-mnist-'));
    try {
      await withEnv({ RNNKIT_DATA_DIR: dir, RNNKIT_DATA_MIRROR: mirror }, async () => {
        const data = await loadMnist({ train: true, limit: 50, log: () => {} });
        const { X, y } = mnistRawTensors(data);
        assert.deepEqual(X.shape, [50, 28, 28]);
        assert.equal(X.dtype, 'int32');
        assert.deepEqual(Array.from(y.dataSync()), Array.from(data.labels));
        const t = new ToTensor().apply(X.expandDims(3));
        assert.deepEqual(Array.from(t.dataSync()), Array.from(data.images));
        tf.dispose([X, y, t]);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('saveModule / loadModule', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'i2dl-save-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const model = (seed: number) => {
    manualSeed(seed);
    return new Sequential({ rnn: new RNN(3, 4), flat: new Flatten(), fc: new Linear(4, 2) });
  };

  it('round trip: the saved parameters load into a fresh instance exactly; the file has the documented format', () => {
    const a = model(1);
    const file = saveModule(a, join(dir, 'sub', 'a.model'));
    assert.equal(file, join(dir, 'sub', 'a.model'));
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.format, MODULE_FORMAT);
    assert.equal(saved.version, 1);
    assert.equal(saved.module, 'Sequential');
    assert.deepEqual(saved.parameters.map((p: { name: string }) => p.name), a.namedParameters().map(([n]) => n));
    const w = a.getParameter('rnn.weight_ih_l0');
    const raw = Buffer.from(saved.parameters[0].data, 'base64');
    assert.equal(raw.readFloatLE(4), w.dataSync()[1]);
    assert.deepEqual(saved.parameters[0].shape, [4, 3]);
    const b = model(2);
    assert.notDeepEqual(Array.from(b.getParameter('fc.weight').dataSync()), Array.from(a.getParameter('fc.weight').dataSync()));
    loadModule(b, file);
    for (const [n, v] of a.namedParameters()) assert.deepEqual(Array.from(b.getParameter(n).dataSync()), Array.from(v.dataSync()), n);
    assert.deepEqual(readdirSync(join(dir, 'sub')), ['a.model'], 'no temporary file left');
    assert.deepEqual(moduleState(b), { ...moduleState(a), module: 'Sequential' });
    a.dispose();
    b.dispose();
  });

  it('relative paths go under RNNKIT_OUTPUT_DIR', async () => {
    const m = model(3);
    await withEnv({ RNNKIT_OUTPUT_DIR: dir }, () => {
      saveModule(m, 'models/rnn_mnist_nn.model');
      assert.ok(existsSync(join(dir, 'models', 'rnn_mnist_nn.model')));
      assert.equal(readSavedModule('models/rnn_mnist_nn.model').parameters.length, 6);
    });
    m.dispose();
  });

  it('a file that does not fit leaves the module unchanged and says why', () => {
    const a = model(4);
    const file = saveModule(a, join(dir, 'fit.model'));
    const other = (() => { manualSeed(5); return new Sequential({ rnn: new RNN(3, 5), flat: new Flatten(), fc: new Linear(5, 2) }); })();
    const before = Array.from(other.getParameter('fc.bias').dataSync());
    assert.throws(() => loadModule(other, file), /parameter 'rnn.weight_ih_l0' has shape \[4, 3\] in the file, \[5, 3\] in the module/);
    assert.deepEqual(Array.from(other.getParameter('fc.bias').dataSync()), before);
    manualSeed(6);
    const lstm = new LSTM(3, 4);
    assert.throws(() => loadModule(lstm, file), /has no parameter 'weight_ih_l0'/);
    const bigger = new Sequential({ rnn: new RNN(3, 4), flat: new Flatten(), fc: new Linear(4, 2), fc2: new Linear(2, 2) });
    assert.throws(() => loadModule(bigger, file), /has no parameter 'fc2.weight'/);
    const smaller = new Sequential({ rnn: new RNN(3, 4) });
    assert.throws(() => loadModule(smaller, file), /holds parameters the module does not have: fc.weight, fc.bias/);
    writeFileSync(join(dir, 'bad.model'), 'not json');
    assert.throws(() => loadModule(a, join(dir, 'bad.model')), /is not a saved module \(not JSON/);
    writeFileSync(join(dir, 'v2.model'), JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), version: 2 }));
    assert.throws(() => loadModule(a, join(dir, 'v2.model')), /format version 2/);
    assert.throws(() => loadModule(a, join(dir, 'missing.model')), /cannot read/);
    assert.throws(() => saveModule({} as never, join(dir, 'x.model')), /expected a Module/);
    for (const m of [a, other, lstm, bigger, smaller]) m.dispose();
  });
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
