/**
 * `run(rnnType)`: the lab's main entry point. Builds the seed's classifier
 * (unflatten to 40 x 1 -> recurrent cell -> flatten -> linear 40*H -> 10), trains it with Adam
 * (lr 1e-2, weight decay 1e-3, PyTorch semantics) on cross-entropy for `epochs` epochs with
 * batches of 100 in order, evaluates on the test set after every epoch, shows a progress bar and
 * live loss / accuracy charts (earlier logged runs overlaid), and logs every epoch to `runs/`.
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../mnist1d/get-dataset.js';
import { getDatasetArgs } from '../mnist1d/args.js';
import { crossEntropyLoss } from '../nn/functional.js';
import { Flatten, Linear, Sequential, Unflatten } from '../nn/layers.js';
import { LiveFigure } from '../plots.js';
import { ProgressBar } from '../progress.js';
import { manualSeed } from '../random/torch-generator.js';
import { assertRnnType, getCell, type CellClass, type RnnType } from './cells.js';
import { DataLoader, TensorDataset } from './data.js';
import { test, train } from './loop.js';
import { Adam } from './optim.js';
import { labelRuns, readRuns, RunWriter, runsFigure, type EpochMetrics, type Series } from './runs.js';
import { limit } from '../settings.js';

/** The arrays of an MNIST-1D dataset that training needs. */
export interface TrainTestData {
  x: ArrayLike<ArrayLike<number>>;
  y: ArrayLike<number>;
  xTest: ArrayLike<ArrayLike<number>>;
  yTest: ArrayLike<number>;
}

export interface RunOptions {
  /** Epochs to train (default 100, the lab's; RNNKIT_EPOCHS / RNNKIT_QUICK shorten it). */
  epochs?: number;
  /** Hidden state size H (default 10). */
  hiddenSize?: number;
  /** Cell classes to use instead of the registered ones (`useCell`). */
  cells?: Partial<Record<RnnType, CellClass>>;
  /** Loaders to train and test on (default: built from `data`). */
  trainLoader?: DataLoader;
  testLoader?: DataLoader;
  /** The dataset (default: MNIST-1D with the default arguments, downloaded or generated once). */
  data?: TrainTestData;
  /** Batch size when the loaders are built here (default 100). */
  batchSize?: number;
  /** Adam's learning rate (default 1e-2) and weight decay (default 1e-3). */
  lr?: number;
  weightDecay?: number;
  /** Seed the global generator before building the model (default: not seeded, as in the lab). */
  seed?: number;
  /** Log each epoch to `runs/` (default true) and where (default `<cwd>/runs`). */
  log?: boolean;
  runsDir?: string;
  /** Live charts (default true) and whether they overlay the runs logged before (default true). */
  plot?: boolean;
  overlay?: boolean;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Print the final summary (default true). */
  verbose?: boolean;
}

export interface RunResult {
  rnnType: RnnType;
  model: Sequential;
  history: EpochMetrics[];
  /** The log file, when logging. */
  file?: string;
  /** Mean wall time of an epoch (train + test), in milliseconds. */
  msPerEpoch: number;
}

/** The lab's classifier around a recurrent cell. */
export function buildClassifier(Cell: CellClass, hiddenSize: number, seqLength = 40): Sequential {
  const rnn = new Cell(1, hiddenSize);
  return new Sequential({
    reshape: new Unflatten(1, [seqLength, 1]),
    rnn,
    flat: new Flatten(),
    classifier: new Linear(seqLength * hiddenSize, 10),
  });
}

const loaderCache = new WeakMap<object, { batchSize: number; train: DataLoader; test: DataLoader }>();
let defaultData: Promise<TrainTestData> | undefined;

/** Loaders over a dataset (built once per dataset and batch size). */
export function makeLoaders(data: TrainTestData, batchSize = 100): { trainLoader: DataLoader; testLoader: DataLoader } {
  const hit = loaderCache.get(data);
  if (hit && hit.batchSize === batchSize) return { trainLoader: hit.train, testLoader: hit.test };
  const toX = (rows: ArrayLike<ArrayLike<number>>) => tf.tensor2d(Array.from(rows, (r) => Array.from(r)), undefined, 'float32');
  const trainSet = new TensorDataset(toX(data.x), tf.tensor1d(Array.from(data.y), 'int32'));
  const testSet = new TensorDataset(toX(data.xTest), tf.tensor1d(Array.from(data.yTest), 'int32'));
  const train = new DataLoader(trainSet, { batchSize });
  const test = new DataLoader(testSet, { batchSize });
  loaderCache.set(data, { batchSize, train, test });
  return { trainLoader: train, testLoader: test };
}

async function loaders(opts: RunOptions): Promise<{ trainLoader: DataLoader; testLoader: DataLoader }> {
  if (opts.trainLoader && opts.testLoader) return { trainLoader: opts.trainLoader, testLoader: opts.testLoader };
  if (opts.trainLoader || opts.testLoader) throw new Error('run: give both trainLoader and testLoader, or neither');
  let data = opts.data;
  if (!data) {
    defaultData ??= getDataset(getDatasetArgs(), { download: true });
    data = await defaultData;
  }
  return makeLoaders(data, opts.batchSize ?? 100);
}

/**
 * `run(rnnType)` as the notebook uses it: trains and tests one recurrent cell type on MNIST-1D
 * (see the module comment). Returns nothing, so that a notebook cell ending in it prints nothing
 * more, and frees the trained model (as PyTorch's garbage collector would); `runExperiment`
 * returns the model and the metrics.
 */
export async function run(rnnType: RnnType, options: RunOptions = {}): Promise<void> {
  const { model } = await runExperiment(rnnType, options);
  model.dispose();
}

/** Trains and tests one recurrent cell type (see the module comment); returns the model and the metrics. */
export async function runExperiment(rnnType: RnnType, options: RunOptions = {}): Promise<RunResult> {
  assertRnnType(rnnType);
  const epochs = limit('epochs', options.epochs ?? 100);
  const hiddenSize = options.hiddenSize ?? 10;
  const Cell = options.cells?.[rnnType] ?? (await getCell(rnnType));
  const { trainLoader, testLoader } = await loaders(options);
  const seqLength = trainLoader.first()[0]!.shape[1]!;

  if (options.seed !== undefined) manualSeed(options.seed);
  const model = buildClassifier(Cell, hiddenSize, seqLength);
  const criterion = crossEntropyLoss;
  const optimizer = new Adam(model.parameters(), options.lr ?? 1e-2, { weightDecay: options.weightDecay ?? 1e-3 });

  const log = options.log ?? true;
  const earlier: Series[] = (options.plot ?? true) && (options.overlay ?? true) ? labelRuns(readRuns(options.runsDir)) : [];
  const label = `${rnnType}${earlier.some((s) => s.rnnType === rnnType) ? ` #${earlier.filter((s) => s.rnnType === rnnType).length + 1}` : ''}`;
  const writer = log
    ? new RunWriter({ name: rnnType, rnnType, hiddenSize, epochs, backend: tf.getBackend(), startedAt: new Date().toISOString() }, options.runsDir)
    : undefined;
  const history: EpochMetrics[] = [];
  const chart = (options.plot ?? true) ? new LiveFigure(runsFigure([...earlier, { label, rnnType, epochs: history }], `run('${rnnType}')`)) : undefined;
  const bar = (options.progress ?? true) ? new ProgressBar(epochs, { desc: `run('${rnnType}')` }) : undefined;

  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const t0 = performance.now();
      // Train on data
      const [trainLoss, trainAcc] = await train(trainLoader, model, optimizer, criterion);
      // Test on data
      const [testLoss, testAcc] = await test(testLoader, model, criterion);
      const m: EpochMetrics = { epoch, trainLoss, trainAcc, testLoss, testAcc, ms: performance.now() - t0 };
      history.push(m);
      writer?.write(m);
      chart?.update(runsFigure([...earlier, { label, rnnType, epochs: history }], `run('${rnnType}')`));
      bar?.update(1, { loss: trainLoss, acc: trainAcc, test_acc: testAcc });
    }
  } finally {
    bar?.close();
    chart?.close();
    optimizer.dispose();
  }
  const msPerEpoch = history.reduce((s, m) => s + m.ms, 0) / Math.max(1, history.length);
  if (options.verbose ?? true) {
    const last = history[history.length - 1];
    console.log(
      `\nFinished. ${rnnType}, ${history.length} epochs` +
        (last ? `: train loss ${last.trainLoss.toFixed(4)}, accuracy ${last.trainAcc.toFixed(1)}%; test loss ${last.testLoss.toFixed(4)}, accuracy ${last.testAcc.toFixed(1)}%` : '') +
        ` (${msPerEpoch.toFixed(0)} ms per epoch on ${tf.getBackend()})`,
    );
  }
  return { rnnType, model, history, file: writer?.file, msPerEpoch };
}
