/**
 * MNIST as raw bytes, the form a notebook gets when it unpickles `(X, y)` with X the images as
 * uint8 [N, 28, 28] (the I2DL exercise's `datasets/mnist_train.p`) and applies its own transforms
 * (`ToTensor` divides by 255, `Normalize`...): images int32 [N, 28, 28] holding 0..255, labels int32 [N].
 * The files come through `loadMnist` (cache, `RNNKIT_DATA_MIRROR`, download).
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist, type LoadMnistOptions, type MnistData } from './mnist.js';

/** MNIST as bytes: `X` int32 [N, 28, 28] with values 0..255, `y` int32 [N]. The caller disposes them. */
export interface MnistRaw {
  X: tf.Tensor3D;
  y: tf.Tensor1D;
  /** Where the image file came from (`cache`, the mirror path or the URL). */
  source: string;
}

/**
 * The pixel bytes of loaded MNIST data. `loadMnist` stores `byte / 255` rounded to float32; times 255
 * that is within 2^-16 of the byte, so rounding gives every byte back exactly.
 */
export function mnistBytes(data: MnistData): Int32Array {
  const out = new Int32Array(data.images.length);
  for (let i = 0; i < out.length; i++) {
    const v = data.images[i]! * 255;
    const b = Math.round(v);
    if (!(b >= 0 && b <= 255) || Math.abs(v - b) > 1e-3) throw new Error(`mnistBytes: pixel ${i} (${data.images[i]}) is not a byte / 255: these are not loadMnist's images`);
    out[i] = b;
  }
  return out;
}

/** Turns loaded MNIST data into byte tensors (see `MnistRaw`). */
export function mnistRawTensors(data: MnistData): MnistRaw {
  return {
    X: tf.tensor3d(mnistBytes(data), [data.count, data.rows, data.cols], 'int32'),
    y: tf.tensor1d(Int32Array.from(data.labels), 'int32'),
    source: data.source,
  };
}

/**
 * Loads MNIST (`loadMnist`) and returns its images as bytes and its labels:
 * `const { X, y } = await loadMnistRaw({ train: true })`. The offline course mirror holds only the
 * first 24,000 training images (the official set has 60,000); the loader says so when it happens.
 */
export async function loadMnistRaw(options: LoadMnistOptions): Promise<MnistRaw> {
  return mnistRawTensors(await loadMnist(options));
}
