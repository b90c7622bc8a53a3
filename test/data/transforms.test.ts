/**
 * The torchvision-style transforms (src/lib/data/transforms.ts, against torchvision's values) and
 * MNIST as bytes (src/lib/data/mnist-raw.ts), as the I2DL notebook loads its data.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { mnistBytes, mnistRawTensors } from '../../src/lib/data/mnist-raw.js';
import { loadMnist } from '../../src/lib/data/mnist.js';
import { Compose, Normalize, ToTensor, transforms } from '../../src/lib/data/transforms.js';
import { withEnv } from '../helpers/env.js';
import { fixture, mirror } from '../helpers/paths.js';

const torchTransforms = fixture('nn', 'mnist_transforms.json') as Record<string, number[]>;

before(async () => {
  await tf.setBackend('cpu');
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
