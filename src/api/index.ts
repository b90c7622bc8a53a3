/**
 * rnn-course-kit: the course library as the notebooks use it — `import { ... } from 'rnn-course-kit'`.
 * The root holds what the course notebooks import (and a few close relatives); the rest of the
 * public API is under subpaths, one per area: rnn-course-kit/nn, /random, /data, /mnist1d,
 * /training, /plots, /graph, /backend, /grading, and /solutions (instructor material). The
 * committed report api/rnn-course-kit.api.md lists all of it (`npm run api` rewrites it).
 */
export { setupBackend } from './backend.js';
export {
  Module, parameter, Linear, Sequential, Flatten, Unflatten, ReLU, Sigmoid, Tanh, RNN, LSTM, GRU, init,
  crossEntropyLoss, allclose, saveModule, loadModule,
} from './nn.js';
export { manualSeed, randn, uniform_, randpermValues } from './random.js';
export { loadMnistTensors, loadMnistRaw, transforms, type Transform } from './data.js';
export { getDatasetArgs, getDataset, getTemplates, plotSignals, linspace } from './mnist1d.js';
export {
  TensorDataset, DataLoader, Adam, type Criterion, SummaryWriter, plotRuns, clearRuns, Solver, timeit,
} from './training.js';
export { showFigure, LiveFigure, type Figure, ProgressBar, trange, showSource } from './plots.js';
export { makeDot } from './graph.js';
export { check } from './grading.js';
