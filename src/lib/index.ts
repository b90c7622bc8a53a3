/**
 * rnn-course-kit: the library behind the course notebooks.
 * Notebooks import it by the package's own name: `import { ... } from 'rnn-course-kit'`.
 */
export * from './backend.js';
export { installTfjsFixes } from './tfjs-fixes.js';
export * from './display.js';
export * from './plots.js';
export * from './progress.js';
export * from './random/torch-generator.js';
export * from './nn/index.js';
export * from './mnist1d/index.js';
export * from './data/index.js';
export * from './training/index.js';
// In-notebook feedback: the autograder's checks of a task (as otter-grader's grader.check)
export { check, checkResult, formatCheck } from '../grading/check.js';
export * from './source.js';
export * from './settings.js';
export * from './graph/index.js';
// I2DL RNN exercise (original 003): timeit, torchvision-style transforms, MNIST bytes, saving modules, the Solver, the task toggle
export * from './timing.js';
export * from './data/transforms.js';
export * from './data/mnist-raw.js';
export * from './nn/serialize.js';
export * from './training/solver.js';
