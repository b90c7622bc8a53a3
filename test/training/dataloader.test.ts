import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { crossEntropyLoss } from '../../src/lib/nn/functional.js';
import { Linear } from '../../src/lib/nn/layers.js';
import { Generator, manualSeed, rand, randomInt64, randperm, randpermValues } from '../../src/lib/random/torch-generator.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { Adam } from '../../src/lib/training/optim.js';
import { train } from '../../src/lib/training/loop.js';
import { fixture } from '../helpers/paths.js';

const ref = fixture('nn', 'dataloader.json');
await tf.setBackend('cpu');

/** A dataset whose samples are their own indices (float), with labels 2 * index (int32). */
function indexDataset(n: number): TensorDataset {
  return new TensorDataset(tf.range(0, n, 1, 'float32'), tf.range(0, 2 * n, 2, 'int32'));
}

/** One epoch as lists of sample indices (read from the first tensor of each batch). */
function epoch(loader: DataLoader): number[][] {
  const out: number[][] = [];
  for (const [x] of loader) out.push(Array.from(x!.dataSync()));
  return out;
}

const randAfter = (n = 4): number[] => {
  const r = rand(n);
  const v = Array.from(r.dataSync());
  r.dispose();
  return v;
};
const f32 = (v: number[]) => v.map(Math.fround);

test('randomInt64 and randperm draw what torch.empty((), dtype=int64).random_() and torch.randperm draw', () => {
  const r = ref.randperm_seed9;
  manualSeed(r.seed);
  assert.equal(randomInt64(), BigInt(r.int64));
  assert.deepEqual(Array.from(randpermValues(12)), r.perm12);
  const p1 = randperm(1);
  assert.deepEqual(Array.from(p1.dataSync()), r.perm1);
  assert.equal(p1.dtype, 'int32');
  assert.deepEqual(randAfter(2), f32(r.rand_after), 'the generator state afterwards');
  assert.throws(() => randpermValues(-1), /non-negative integer/);
  p1.dispose();
});

test("shuffle: manualSeed(7) gives PyTorch's batch order for 3 epochs and leaves the generator where PyTorch does", () => {
  const r = ref.global_seed7_n10_b3;
  const ds = indexDataset(r.n);
  manualSeed(r.seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true });
  for (let e = 0; e < 3; e++) assert.deepEqual(epoch(loader), r.epochs[e], `epoch ${e}`);
  assert.deepEqual(randAfter(), f32(r.rand_after));
  loader.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('shuffle with dropLast: the incomplete last batch is left out, as drop_last=True', () => {
  const r = ref.global_seed7_n10_b4_droplast;
  const ds = indexDataset(r.n);
  manualSeed(r.seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true, dropLast: true });
  assert.equal(loader.length, 2);
  for (let e = 0; e < 2; e++) assert.deepEqual(epoch(loader), r.epochs[e], `epoch ${e}`);
  assert.deepEqual(randAfter(), f32(r.rand_after));
  const inOrder = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.deepEqual(epoch(inOrder), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(inOrder.length, 2);
  assert.equal(new DataLoader(ds, { batchSize: 4 }).length, 3);
  loader.dispose();
  inOrder.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test("the exercise sheet's pattern: an in-order test loader with drawBaseSeed between shuffled epochs keeps step with PyTorch", () => {
  const r = ref.interleaved_seed3;
  const trainDs = indexDataset(r.train_n);
  const testDs = indexDataset(r.test_n);
  manualSeed(r.seed);
  const trainLoader = new DataLoader(trainDs, { batchSize: r.train_batch_size, shuffle: true });
  const testLoader = new DataLoader(testDs, { batchSize: r.test_batch_size, drawBaseSeed: true });
  const seq = [];
  for (let e = 0; e < 2; e++) {
    seq.push(epoch(trainLoader));
    seq.push(epoch(testLoader));
  }
  assert.deepEqual(seq, r.sequence);
  assert.deepEqual(randAfter(), f32(r.rand_after));
  // without drawBaseSeed the second training epoch comes out differently
  manualSeed(r.seed);
  const quiet = new DataLoader(testDs, { batchSize: r.test_batch_size });
  const e0 = epoch(trainLoader);
  epoch(quiet);
  assert.deepEqual(e0, r.sequence[0]);
  assert.notDeepEqual(epoch(trainLoader), r.sequence[2]);
  for (const l of [trainLoader, testLoader, quiet]) l.dispose();
  tf.dispose([...trainDs.tensors, ...testDs.tensors]);
});

test("an explicit generator: PyTorch's order from it, and the global generator untouched", () => {
  const r = ref.generator5_n10_b4;
  const ds = indexDataset(r.n);
  manualSeed(r.global_seed);
  const g = new Generator(r.generator_seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true, generator: g });
  for (let e = 0; e < 2; e++) assert.deepEqual(epoch(loader), r.epochs[e], `epoch ${e}`);
  assert.deepEqual(randAfter(), f32(r.rand_after), 'global generator');
  assert.deepEqual(Array.from(rand(4, g).dataSync()), f32(r.generator_rand_after), 'the loader generator');
  loader.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('an explicit generator: the extra permutation at the end of an epoch (full last batch, dropLast) and none after break', () => {
  for (const key of ['generator5_n8_b4', 'generator5_n10_b4_droplast']) {
    const r = ref[key];
    const ds = indexDataset(r.n);
    const g = new Generator(r.generator_seed);
    const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true, generator: g, dropLast: r.drop_last });
    for (let e = 0; e < 2; e++) assert.deepEqual(epoch(loader), r.epochs[e], `${key} epoch ${e}`);
    assert.deepEqual(Array.from(rand(4, g).dataSync()), f32(r.generator_rand_after), `${key}: generator state`);
    loader.dispose();
    tf.dispose(ds.tensors as tf.Tensor[]);
  }
  const r = ref.generator5_break;
  const ds = indexDataset(r.n);
  const g = new Generator(r.generator_seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true, generator: g });
  for (const [x] of loader) {
    assert.deepEqual(Array.from(x!.dataSync()), r.first_then_break);
    break;
  }
  assert.deepEqual(epoch(loader), r.next_epoch);
  assert.deepEqual(Array.from(rand(4, g).dataSync()), f32(r.generator_rand_after), 'generator state');
  loader.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('first() is next(iter(loader)): a shuffled first batch as PyTorch draws it, kept until the next first()', () => {
  const r = ref.first_seed0_n10_b4;
  const ds = indexDataset(r.n);
  manualSeed(r.seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true });
  const before = tf.memory().numTensors;
  const b = loader.first();
  assert.deepEqual(Array.from(b[0]!.dataSync()), r.first);
  assert.deepEqual(randAfter(), f32(r.rand_after));
  assert.equal(tf.memory().numTensors, before + 2);
  const b2 = loader.first();
  assert.ok(b[0]!.isDisposed, 'the previous first() batch is freed');
  assert.equal(tf.memory().numTensors, before + 2);
  loader.dispose();
  assert.ok(b2[0]!.isDisposed);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test("a larger dataset (1000, batch 64): PyTorch's first batch and order checksum in two epochs", () => {
  const r = ref.global_seed123_n1000_b64;
  const ds = indexDataset(r.n);
  manualSeed(r.seed);
  const loader = new DataLoader(ds, { batchSize: r.batch_size, shuffle: true });
  for (let e = 0; e < 2; e++) {
    const order = epoch(loader).flat();
    assert.deepEqual(order.slice(0, 64), r.epochs[e].first_batch, `epoch ${e}: first batch`);
    assert.equal(order.reduce((s, v, i) => s + i * v, 0), r.epochs[e].checksum, `epoch ${e}: checksum`);
  }
  loader.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('shuffle covers every sample exactly once per epoch, keeps inputs and labels together, and differs between epochs', () => {
  const n = 103;
  const ds = indexDataset(n);
  manualSeed(1);
  const loader = new DataLoader(ds, { batchSize: 10, shuffle: true });
  assert.equal(loader.length, 11);
  const orders: number[][] = [];
  for (let e = 0; e < 4; e++) {
    const order: number[] = [];
    const sizes: number[] = [];
    for (const [x, y] of loader) {
      const xs = Array.from(x!.dataSync());
      assert.equal(y!.dtype, 'int32');
      assert.deepEqual(Array.from(y!.dataSync()), xs.map((v) => 2 * v), 'labels travel with their inputs');
      order.push(...xs);
      sizes.push(xs.length);
    }
    assert.deepEqual(sizes, [...new Array(10).fill(10), 3]);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `epoch ${e}: every sample once`);
    assert.notDeepEqual(order, Array.from({ length: n }, (_, i) => i), 'not in order');
    for (const o of orders) assert.notDeepEqual(order, o, 'a new order every epoch');
    orders.push(order);
  }
  loader.dispose();
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('shuffled epochs leave no tensors behind: one batch alive at a time, freed on break and on exceptions', () => {
  const ds = indexDataset(50);
  const loader = new DataLoader(ds, { batchSize: 8, shuffle: true });
  const before = tf.memory().numTensors;
  for (let e = 0; e < 3; e++) {
    let prev: tf.Tensor[] | null = null;
    for (const batch of loader) {
      assert.equal(tf.memory().numTensors, before + 2, 'only the current batch (inputs, labels) is alive');
      if (prev) assert.ok(prev[0]!.isDisposed && prev[1]!.isDisposed, 'the previous batch is freed when the iterator moves on');
      prev = batch;
    }
    assert.equal(tf.memory().numTensors, before, `epoch ${e}: nothing left`);
  }
  for (const _ of loader) break;
  assert.equal(tf.memory().numTensors, before, 'break frees the current batch');
  assert.throws(() => {
    for (const _ of loader) throw new Error('boom');
  }, /boom/);
  assert.equal(tf.memory().numTensors, before, 'an exception frees the current batch');
  // a tf.tidy around the loop body does not free the batch early
  for (const [x] of loader) {
    tf.tidy(() => {
      tf.mul(x!, 2);
    });
    assert.ok(!x!.isDisposed);
  }
  assert.equal(tf.memory().numTensors, before);
  // an abandoned iterator's batch is freed by dispose()
  const it = loader[Symbol.iterator]();
  it.next();
  assert.equal(tf.memory().numTensors, before + 2);
  loader.dispose();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose(ds.tensors as tf.Tensor[]);
});

test('in order: the same batches every epoch (sliced once), no draws from the global generator by default', () => {
  const ds = indexDataset(10);
  const loader = new DataLoader(ds, { batchSize: 4 });
  manualSeed(5);
  const e1 = [...loader];
  const e2 = [...loader];
  assert.deepEqual(e1.map((b) => Array.from(b[0]!.dataSync())), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  e1.forEach((b, i) => assert.equal(b[0], e2[i]![0], 'the same tensor objects'));
  assert.equal(loader.first()[0], e1[0]![0]);
  const after = randAfter();
  manualSeed(5);
  assert.deepEqual(after, randAfter(), 'the global generator was not used');
  const before = tf.memory().numTensors;
  loader.dispose();
  assert.equal(tf.memory().numTensors, before - 6);
  tf.dispose(ds.tensors as tf.Tensor[]);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer/);
  assert.throws(() => new DataLoader(ds, { generator: {} as Generator }), /generator must be a Generator/);
});

test('train() over a shuffled loader: an epoch leaves the tensor count unchanged', async () => {
  const x = tf.randomNormal([40, 6], 0, 1, 'float32', 2);
  const y = tf.tensor1d(Array.from({ length: 40 }, (_, i) => i % 3), 'int32');
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: new Generator(0) });
  const model = new Linear(6, 3, { generator: new Generator(1) });
  const opt = new Adam(model.parameters(), 1e-2);
  await train(loader, model, opt, crossEntropyLoss); // the optimiser creates its moments in the first epoch
  const before = tf.memory().numTensors;
  const [loss] = await train(loader, model, opt, crossEntropyLoss);
  assert.ok(Number.isFinite(loss));
  assert.equal(tf.memory().numTensors, before);
  opt.dispose();
  model.dispose();
  loader.dispose();
  tf.dispose([x, y]);
});
