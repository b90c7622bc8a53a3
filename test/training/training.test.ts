import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { crossEntropyLoss, maxAbsDiff } from '../../src/lib/nn/functional.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import {
  Adam, buildClassifier, clearRuns, DataLoader, plotRuns, readRuns, runsLogFigure, SummaryWriter, TensorDataset, test as testEpoch, train,
} from '../../src/lib/training/index.js';
import { lab8Cells } from '../../src/solutions/index.js';
import { fixture, mnist1dJsonPath } from '../helpers/paths.js';

const cells = fixture('lab8', 'cells.json');
const TYPES = ['vanilla', 'gru', 'lstm'] as const;
let dir: string;

before(async () => {
  // Training tests run on wasm (much faster than cpu here); the library never picks a backend itself.
  await tf.setBackend('wasm');
  dir = mkdtempSync(join(tmpdir(), 'lab8-runs-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loadMnist() {
  const raw = JSON.parse(readFileSync(mnist1dJsonPath, 'utf8'));
  return { x: raw.x, y: raw.y, xTest: raw.x_test, yTest: raw.y_test };
}

for (const type of TYPES) {
  test(`${type}: Adam(lr 1e-2, weight decay 1e-3) follows PyTorch for 3 steps on the lab's classifier`, () => {
    const ref = cells.train[type];
    manualSeed(1);
    const model = buildClassifier(lab8Cells[type], ref.hidden);
    // the initial parameters come from the same generator stream as in PyTorch
    for (const [n, v] of model.namedParameters()) {
      const want = ref.init[n];
      const got = v.dataSync();
      assert.deepEqual(Array.from(got.slice(0, 24)), want.first.map(Math.fround), `initial ${n}`);
    }
    const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
    const x = tf.tensor2d(ref.x, [16, 40]);
    const y = tf.tensor1d(ref.y, 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) {
      const loss = opt.minimize(() => crossEntropyLoss(model.apply(x), y));
      losses.push(loss.dataSync()[0]!);
      loss.dispose();
    }
    assert.ok(maxAbsDiff(losses, ref.losses) < 2e-5, `losses ${losses} vs torch ${ref.losses}`);
    for (const [n, v] of model.namedParameters()) {
      const want = ref.final[n];
      if (Array.isArray(want)) {
        assert.ok(maxAbsDiff(v, want) < 2e-5, `${n}: max difference ${maxAbsDiff(v, want)}`);
      } else {
        const got = Array.from(v.dataSync());
        assert.ok(maxAbsDiff(got.slice(0, 24), want.first) < 2e-5, `${n}: first values`);
        assert.ok(Math.abs(got.reduce((a, b) => a + b, 0) - want.sum) < 1e-3, `${n}: sum`);
      }
    }
    // without weight decay the result differs (the decay term is really applied)
    manualSeed(1);
    const plain = buildClassifier(lab8Cells[type], ref.hidden);
    const opt2 = new Adam(plain.parameters(), 1e-2);
    for (let s = 0; s < 3; s++) opt2.minimize(() => crossEntropyLoss(plain.apply(x), y)).dispose();
    const w = plain.namedParameters().find(([n]) => n === 'rnn.weight_hh')![1];
    assert.ok(maxAbsDiff(w, ref.final['rnn.weight_hh']) > 1e-6);
    opt.dispose();
    opt2.dispose();
    model.dispose();
    plain.dispose();
  });
}

test('an epoch of train and test leaves the number of tensors unchanged', async () => {
  manualSeed(0);
  const x = tf.randomNormal([250, 40], 0, 1, 'float32', 1);
  const y = tf.tensor1d(Array.from({ length: 250 }, (_, i) => i % 10), 'int32');
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 100 });
  assert.equal(loader.length, 3);
  assert.deepEqual([...loader].map((b) => b[0]!.shape[0]), [100, 100, 50]);
  for (const type of TYPES) {
    const model = buildClassifier(lab8Cells[type], 4);
    const opt = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
    await train(loader, model, opt, crossEntropyLoss); // creates the optimiser's moments
    const before = tf.memory().numTensors;
    const [loss, acc] = await train(loader, model, opt, crossEntropyLoss);
    const [tloss, tacc] = await testEpoch(loader, model, crossEntropyLoss);
    assert.equal(tf.memory().numTensors, before, `${type}: tensors leaked`);
    assert.ok(Number.isFinite(loss) && loss > 0 && Number.isFinite(tloss));
    assert.ok(acc >= 0 && acc <= 100 && tacc >= 0 && tacc <= 100);
    opt.dispose();
    model.dispose();
  }
  loader.dispose();
});

test('test() computes loss and accuracy without changing the parameters', async () => {
  const model = buildClassifier(lab8Cells.vanilla, 3);
  const x = tf.randomNormal([20, 40]);
  const y = tf.tensor1d(Array.from({ length: 20 }, (_, i) => i % 10), 'int32');
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 8 });
  const params = model.parameters().map((p) => Array.from(p.dataSync()));
  const [loss, acc] = await testEpoch(loader, model, crossEntropyLoss);
  assert.deepEqual(model.parameters().map((p) => Array.from(p.dataSync())), params);
  // the same numbers by hand (mean of the per-batch mean losses)
  let sum = 0;
  let correct = 0;
  for (const [xb, yb] of loader) {
    const out = model.apply(xb!);
    sum += crossEntropyLoss(out, yb!).dataSync()[0]!;
    const pred = out.argMax(1).dataSync();
    const lab = yb!.dataSync();
    pred.forEach((p, i) => { if (p === lab[i]) correct++; });
  }
  assert.ok(Math.abs(loss - sum / 3) < 1e-5);
  assert.equal(acc, (100 * correct) / 20);
});

test('SummaryWriter logs add_scalars to its own file under runs/, plotRuns() draws every logged run, clearRuns() removes them', () => {
  const runsDir = join(dir, 'runs');
  const w1 = new SummaryWriter(runsDir);
  for (let epoch = 0; epoch < 2; epoch++) {
    w1.addScalars('Loss', { Train_VanillaRNN: 2 - epoch, Test_VanillaRNN: 2.1 - epoch }, epoch);
    w1.addScalars('Accuracy', { Train_VanillaRNN: 20 + epoch, Test_VanillaRNN: tf.scalar(19 + epoch) }, epoch);
  }
  w1.close();
  assert.throws(() => w1.addScalars('Loss', { Train_VanillaRNN: 1 }, 2), /after close/);
  const w2 = new SummaryWriter(runsDir);
  w2.addScalars('Loss', { Train_GRU: 1.5, Test_GRU: 1.6 }, 0);
  w2.close();
  const w3 = new SummaryWriter(runsDir);
  w3.addScalars('Loss', { Train_VanillaRNN: 1.9, Test_VanillaRNN: 2 }, 0);
  w3.close();
  assert.notEqual(w1.file, w3.file);

  const logs = readRuns(runsDir);
  assert.deepEqual(logs.map((l) => l.file), [w1.file, w2.file, w3.file]);
  assert.deepEqual(logs[0]!.scalars.filter((r) => r.tag === 'Accuracy' && r.name === 'Test_VanillaRNN').map((r) => [r.step, r.value]), [[0, 19], [1, 20]]);
  assert.equal(logs[0]!.scalars.length, 8);
  assert.equal(plotRuns(runsDir), undefined);
  const fig = runsLogFigure(runsDir);
  const traces = fig.data as { name?: string; xaxis?: string; y?: number[]; line?: { dash?: string; color?: string } }[];
  const trace = (name: string, axis = 'x') => traces.find((d) => d.name === name && d.xaxis === axis);
  for (const n of ['Train_VanillaRNN', 'Test_VanillaRNN', 'Train_GRU', 'Test_GRU', 'Train_VanillaRNN #2', 'Test_VanillaRNN #2']) assert.ok(trace(n), `missing trace ${n}`);
  // one panel per tag: Loss (x/y) and Accuracy (x2/y2); the GRU run logged no accuracy
  assert.deepEqual(trace('Test_VanillaRNN', 'x2')!.y, [19, 20]);
  assert.equal(trace('Test_GRU', 'x2'), undefined);
  assert.equal(traces.length, 4 + 2 + 2);
  assert.equal(trace('Train_GRU')!.line!.dash, 'dash');
  assert.equal(trace('Test_GRU')!.line!.dash, 'solid');
  assert.equal(trace('Train_GRU')!.line!.color, trace('Test_GRU')!.line!.color);
  assert.notEqual(trace('Train_GRU')!.line!.color, trace('Train_VanillaRNN')!.line!.color);
  assert.deepEqual((fig.layout as { yaxis2?: { title?: { text?: string } } }).yaxis2?.title?.text, 'Accuracy');

  clearRuns(runsDir);
  assert.equal(existsSync(runsDir), false);
  assert.equal(readRuns(runsDir).length, 0);
  assert.match(JSON.stringify(runsLogFigure(runsDir).layout), /No runs logged yet/);
});

test('three epochs of each cell type in the classifier of run() learn well above chance on MNIST-1D', async (t) => {
  if (!existsSync(mnist1dJsonPath)) return t.skip('../shared/datasets/mnist1d/mnist1d_data.json is not here');
  const data = loadMnist();
  const trainLoader = new DataLoader(new TensorDataset(tf.tensor2d(data.x), tf.tensor1d(data.y, 'int32')), { batchSize: 100 });
  const testLoader = new DataLoader(new TensorDataset(tf.tensor2d(data.xTest), tf.tensor1d(data.yTest, 'int32')), { batchSize: 100 });
  assert.equal(trainLoader.length, 40);
  // thresholds measured with seed 0; chance is 10 %
  const expectMin = { vanilla: 25, gru: 30, lstm: 30 } as const;
  for (const type of TYPES) {
    manualSeed(0);
    const model = buildClassifier(lab8Cells[type], 10);
    const optimizer = new Adam(model.parameters(), 1e-2, { weightDecay: 1e-3 });
    const history: { trainLoss: number; testAcc: number }[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const [trainLoss] = await train(trainLoader, model, optimizer, crossEntropyLoss);
      const [, testAcc] = await testEpoch(testLoader, model, crossEntropyLoss);
      history.push({ trainLoss, testAcc });
    }
    t.diagnostic(`${type}: ${history.map((h) => `${h.testAcc.toFixed(1)}%`).join(' ')} test accuracy`);
    assert.ok(history[2]!.testAcc > expectMin[type], `${type}: test accuracy ${history[2]!.testAcc}% after 3 epochs`);
    assert.ok(history[2]!.trainLoss < history[0]!.trainLoss, `${type}: the training loss did not decrease`);
    optimizer.dispose();
    model.dispose();
  }
  trainLoader.dispose();
  testLoader.dispose();
});
