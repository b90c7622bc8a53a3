/**
 * rnn-course-kit/training: what the labs train with — data loaders, Adam, Lab 8's train/test loops
 * and classifier, the I2DL Solver, run logs (`SummaryWriter`, as TensorBoard's) and `timeit`.
 */
export {
  TensorDataset, DataLoader, type DataLoaderOptions,
  Adam, type AdamOptions,
  train, test, type Criterion,
  buildClassifier, type CellClass,
  SummaryWriter, readRuns, clearRuns, plotRuns, runsLogFigure, type RunLog, type ScalarRecord,
} from '../lib/training/index.js';
export { Solver, type SolverOptions, type SolverOptimArgs, type SolverTrainOptions, type BatchSource } from '../lib/training/solver.js';
export { timeit, type TimeitOptions } from '../lib/timing.js';
