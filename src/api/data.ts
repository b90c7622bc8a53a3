/**
 * rnn-course-kit/data: MNIST as torchvision gives it (downloaded once and cached, with a mirror
 * setting for CI), torchvision-style transforms, and PyTorch's `TensorDataset` / `DataLoader`.
 */
export { loadMnist, normalizeMnist, MNIST_MEAN, MNIST_STD, type LoadMnistOptions, type MnistData } from '../lib/data/mnist.js';
export { loadMnistTensors, mnistTensors, type MnistTensorOptions, type MnistTensors } from '../lib/data/mnist-tensors.js';
export { loadMnistRaw, mnistRawTensors, mnistBytes, type MnistRaw } from '../lib/data/mnist-raw.js';
export { transforms, Compose, ToTensor, Normalize, type Transform } from '../lib/data/transforms.js';
export { dataDir } from '../lib/data/cache.js';
export { TensorDataset, DataLoader, type DataLoaderOptions } from '../lib/training/index.js';
