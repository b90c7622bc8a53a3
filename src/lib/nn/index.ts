/** Neural-network building blocks in PyTorch's spelling (`torch.nn` for TensorFlow.js). */
export * from './module.js';
export * from './layers.js';
export * from './activations.js';
export * from './recurrent.js';
export * from './init.js';
export * from './functional.js';
