/**
 * MNIST-1D (Greydanus & Kobak, github.com/greydanus/mnist1d), ported from the Python package so that
 * TypeScript notebooks get the very same data: `getDatasetArgs`, `getTemplates`, `makeDataset`,
 * `getDataset`, `setSeed`, `plotSignals` and the transforms. Python names map to camelCase
 * (see args.ts); the dataset's `x_test` / `y_test` are `xTest` / `yTest`.
 */
export * from './args.js';
export * from './get-dataset.js';
export * from './make-dataset.js';
export * from './plot-signals.js';
export * from './seed.js';
export * from './templates.js';
export * from './transform.js';
export { RandomState, type RandomStateState } from '../random/numpy-random-state.js';
export { gaussianFilter, gaussianFilter1d, gaussianKernel1d, type BoundaryMode, type GaussianFilterOptions } from '../signal/gaussian-filter.js';
export { interp1dLinear, npInterp } from '../signal/interp.js';
export { linspace } from '../signal/linspace.js';
