/**
 * MNIST as tensors, the way torchvision hands it to a model: `transforms.ToTensor()` (pixels
 * `byte / 255` in [0, 1], float32) and optionally `transforms.Normalize((mean,), (std,))`,
 * images [N, 28, 28] (torchvision's [N, 1, 28, 28] without the channel: what `images.view(-1, 28, 28)`
 * gives), labels int32 [N].
 */
import * as tf from '@tensorflow/tfjs';
import { loadMnist, MNIST_MEAN, MNIST_STD, normalizeMnist, type LoadMnistOptions, type MnistData } from './mnist.js';

export interface MnistTensorOptions {
  /**
   * `Normalize((mean,), (std,))` after `ToTensor()`: `true` for MNIST's own statistics
   * (0.1307, 0.3081), or the values (Lab sheet 9 uses `{ mean: 0.5, std: 0.5 }`). Default: none.
   */
  normalize?: boolean | { mean: number; std: number };
}

/** MNIST as tensors: images float32 [N, 28, 28], labels int32 [N]. The caller disposes them. */
export interface MnistTensors {
  images: tf.Tensor3D;
  labels: tf.Tensor1D;
}

/** Turns loaded MNIST data (`loadMnist`) into tensors, optionally normalised (see `MnistTensorOptions`). */
export function mnistTensors(data: MnistData, options: MnistTensorOptions = {}): MnistTensors {
  const { normalize } = options;
  let pixels = data.images;
  if (normalize) {
    const { mean, std } = normalize === true ? { mean: MNIST_MEAN, std: MNIST_STD } : normalize;
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std === 0) throw new RangeError(`mnistTensors: normalize needs a finite mean and a non-zero std, got mean ${mean}, std ${std}`);
    pixels = normalizeMnist(data.images, mean, std);
  }
  return {
    images: tf.tensor3d(pixels, [data.count, data.rows, data.cols], 'float32'),
    labels: tf.tensor1d(Int32Array.from(data.labels), 'int32'),
  };
}

/**
 * Loads MNIST (`loadMnist`: cache, mirror, download) and returns it as tensors:
 * `const { images, labels } = await loadMnistTensors({ train: true, normalize: { mean: 0.5, std: 0.5 } })`,
 * then `new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true })`.
 */
export async function loadMnistTensors(options: LoadMnistOptions & MnistTensorOptions): Promise<MnistTensors> {
  const { normalize, ...load } = options;
  return mnistTensors(await loadMnist(load), { normalize });
}
