/** Training utilities of the lab notebooks: data loaders, Adam, train/test loops, Lab 8's classifier, run logs (SummaryWriter). */
export * from './data.js';
export * from './optim.js';
export * from './loop.js';
export * from './run-logs.js';
export * from './classifier.js';
