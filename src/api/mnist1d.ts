/**
 * rnn-course-kit/mnist1d: MNIST-1D (Greydanus & Kobak, github.com/greydanus/mnist1d) ported from
 * the Python package, giving the very same data: `getDatasetArgs`, `getTemplates`, `makeDataset`,
 * `getDataset`, `setSeed`, `plotSignals`, the transforms, NumPy's `RandomState` and `linspace`. Python names map to camelCase; the
 * dataset's `x_test` / `y_test` are `xTest` / `yTest`.
 */
export {
  getDatasetArgs, validateDatasetArgs, argsFromPython, argsToPython, type DatasetArgs,
  getDataset, type GetDatasetOptions,
  makeDataset, type Mnist1dDataset,
  getTemplates, type Templates,
  plotSignals, type PlotSignalsOptions,
  setSeed,
  transform, pad, shear, translate, corrNoiseLike, iidNoiseLike, interpolate,
  RandomState, type RandomStateState,
  linspace,
} from '../lib/mnist1d/index.js';
