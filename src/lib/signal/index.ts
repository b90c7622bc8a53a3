/** Ports of the NumPy / SciPy signal routines MNIST-1D needs, bit-faithful where feasible. */
export * from './gaussian-filter.js';
export * from './interp.js';
export * from './linspace.js';
export * from './numpy-sum.js';
