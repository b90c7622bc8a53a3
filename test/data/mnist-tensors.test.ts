import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { MnistData } from '../../src/lib/data/mnist.js';
import { loadMnistTensors, mnistTensors } from '../../src/lib/data/mnist-tensors.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { fixture, mirror } from '../helpers/paths.js';

await tf.setBackend('cpu');
const ref = fixture('nn', 'mnist_transforms.json');

/** Fake MNIST data: `count` images whose pixels run through 0..255 (as loadMnist stores them: byte / 255). */
function fake(count: number): MnistData {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i % 256) / 255;
  const labels = Uint8Array.from({ length: count }, (_, i) => (3 * i) % 10);
  return { images, labels, count, rows: 28, cols: 28, available: count, source: 'test' };
}

test('mnistTensors: images float32 [N, 28, 28] = ToTensor (bit for bit), labels int32 [N]', () => {
  const d = fake(3);
  const { images, labels } = mnistTensors(d);
  assert.deepEqual(images.shape, [3, 28, 28]);
  assert.equal(images.dtype, 'float32');
  assert.deepEqual(labels.shape, [3]);
  assert.equal(labels.dtype, 'int32');
  assert.deepEqual(Array.from(labels.dataSync()), [0, 3, 6]);
  assert.deepEqual(Array.from(images.dataSync().slice(0, 256)), ref.to_tensor.map(Math.fround));
  tf.dispose([images, labels]);
});

test("mnistTensors with normalize: torchvision's Normalize bit for bit (MNIST's statistics, or given ones)", () => {
  const d = fake(1);
  const a = mnistTensors(d, { normalize: true });
  assert.deepEqual(Array.from(a.images.dataSync().slice(0, 256)), ref['normalize_0.1307_0.3081'].map(Math.fround));
  const b = mnistTensors(d, { normalize: { mean: 0.5, std: 0.5 } });
  assert.deepEqual(Array.from(b.images.dataSync().slice(0, 256)), ref['normalize_0.5_0.5'].map(Math.fround));
  assert.equal(b.images.dataSync()[0], -1);
  assert.equal(b.images.dataSync()[255], 1);
  // the loaded data is not changed
  assert.equal(d.images[255], Math.fround(1));
  assert.throws(() => mnistTensors(d, { normalize: { mean: 0.5, std: 0 } }), /non-zero std/);
  tf.dispose([a.images, a.labels, b.images, b.labels]);
});

test('loadMnistTensors from the mirror: the test set as a shuffled DataLoader of [64, 28, 28] batches', async (t) => {
  if (!existsSync(join(mirror, 'mnist', 't10k-images-idx3-ubyte.gz'))) return t.skip('../shared/datasets/mnist is not here');
  const tmp = mkdtempSync(join(tmpdir(), 'rnnkit-mnist-t-'));
  const saved = { dir: process.env['RNNKIT_DATA_DIR'], mirror: process.env['RNNKIT_DATA_MIRROR'] };
  process.env['RNNKIT_DATA_DIR'] = tmp;
  process.env['RNNKIT_DATA_MIRROR'] = mirror;
  try {
    const { images, labels } = await loadMnistTensors({ train: false, limit: 200, normalize: { mean: 0.5, std: 0.5 }, log: () => {} });
    assert.deepEqual(images.shape, [200, 28, 28]);
    assert.deepEqual(Array.from(labels.dataSync().slice(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const [min, max] = [images.min().dataSync()[0]!, images.max().dataSync()[0]!];
    assert.equal(min, -1);
    assert.equal(max, 1);
    const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true });
    const sizes: number[][] = [];
    for (const [x, y] of loader) {
      sizes.push(x!.shape);
      assert.equal(y!.dtype, 'int32');
    }
    assert.deepEqual(sizes, [[64, 28, 28], [64, 28, 28], [64, 28, 28], [8, 28, 28]]);
    loader.dispose();
    tf.dispose([images, labels]);
  } finally {
    if (saved.dir === undefined) delete process.env['RNNKIT_DATA_DIR'];
    else process.env['RNNKIT_DATA_DIR'] = saved.dir;
    if (saved.mirror === undefined) delete process.env['RNNKIT_DATA_MIRROR'];
    else process.env['RNNKIT_DATA_MIRROR'] = saved.mirror;
    rmSync(tmp, { recursive: true, force: true });
  }
});
