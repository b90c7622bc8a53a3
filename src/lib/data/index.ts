/** Dataset downloads and readers: the cache (`RNNKIT_DATA_DIR`, `RNNKIT_DATA_MIRROR`), pickles, MNIST. */
export * from './cache.js';
export * from './mnist.js';
export * from './mnist-tensors.js';
export * from './pickle.js';
