/** `make_dataset(args, templates)` (mnist1d/data.py), bit-faithful to the Python package. */
import type { RandomState } from '../random/numpy-random-state.js';
import { npMean, npStd } from '../signal/numpy-sum.js';
import { getDatasetArgs, validateDatasetArgs, type DatasetArgs } from './args.js';
import { setSeed, globalRandomState } from './seed.js';
import { getTemplates, type Templates } from './templates.js';
import { transform } from './transform.js';

/**
 * An MNIST-1D dataset. The Python dict's keys `x_test` / `y_test` are `xTest` / `yTest` here; the
 * arrays are plain nested number arrays (`tf.tensor2d(data.x)` works directly).
 */
export interface Mnist1dDataset {
  /** Training signals, `floor(n * trainSplit)` rows of `finalSeqLength` values. */
  x: number[][];
  /** Training labels 0..9. */
  y: number[];
  xTest: number[][];
  yTest: number[];
  /** The time axis of the signals (`finalSeqLength` values). */
  t: number[];
  templates: Templates;
}

/**
 * `make_dataset(args)`: seeds the global generator with `args.seed` (as `set_seed` does), transforms
 * `numSamples // 10` copies of each template, shuffles them, optionally shuffles the time steps,
 * standardises the whole set and splits it at `int(n * trainSplit)`.
 */
export function makeDataset(args: DatasetArgs = getDatasetArgs(), templates: Templates = getTemplates()): Mnist1dDataset {
  validateDatasetArgs(args);
  setSeed(args.seed);
  const rng: RandomState = globalRandomState();
  const nClasses = templates.y.length;
  const perClass = Math.floor(args.numSamples / nClasses);
  const len = args.finalSeqLength;
  const total = perClass * nClasses;
  const xs: Float64Array[] = [];
  const ys: number[] = [];
  let newT: Float64Array = new Float64Array(0);
  for (let label = 0; label < nClasses; label++) {
    for (let e = 0; e < perClass; e++) {
      const [x, t] = transform(templates.x[label]!, templates.t, args, 1e-8, rng);
      newT = t;
      xs.push(x);
      ys.push(templates.y[label]!);
    }
  }
  const batchShuffle = rng.permutation(total);
  const seqShuffle = args.shuffleSeq ? rng.permutation(len) : null;

  const flat = new Float64Array(total * len);
  const yOut = new Array<number>(total);
  for (let r = 0; r < total; r++) {
    const src = xs[batchShuffle[r]!]!;
    yOut[r] = ys[batchShuffle[r]!]!;
    const o = r * len;
    if (seqShuffle) for (let c = 0; c < len; c++) flat[o + c] = src[seqShuffle[c]!]!;
    else flat.set(src, o);
  }
  // NumPy reduces in memory order, and `xs[..., seq_shuffle]` comes out Fortran-ordered (column-major)
  let memoryOrder = flat;
  if (seqShuffle) {
    memoryOrder = new Float64Array(flat.length);
    for (let r = 0; r < total; r++) for (let c = 0; c < len; c++) memoryOrder[c * total + r] = flat[r * len + c]!;
  }
  const std = npStd(memoryOrder);
  const t = Array.from(newT, (v) => v / std);
  const mean = npMean(memoryOrder);
  for (let i = 0; i < flat.length; i++) flat[i] = (flat[i]! - mean) / std;

  const split = Math.trunc(total * args.trainSplit);
  const rows: number[][] = [];
  for (let r = 0; r < total; r++) rows.push(Array.from(flat.subarray(r * len, (r + 1) * len)));
  return {
    x: rows.slice(0, split),
    y: yOut.slice(0, split),
    xTest: rows.slice(split),
    yTest: yOut.slice(split),
    t,
    templates,
  };
}
