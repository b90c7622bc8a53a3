/** Neural-network building blocks in PyTorch's spelling (`torch.nn` for TensorFlow.js). */
export * from './module.js';
export * from './layers.js';
export * from './functional.js';
