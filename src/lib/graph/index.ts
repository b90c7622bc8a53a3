/** Computational graphs of TensorFlow.js computations, recorded from the engine's tape and drawn like torchviz's `make_dot`. */
export * from './record.js';
export * from './layout.js';
export * from './draw.js';
