/**
 * MNIST-1D dataset arguments: `get_dataset_args()` of the Python package `mnist1d`
 * (github.com/greydanus/mnist1d, mnist1d/data.py) with TypeScript names.
 *
 * | Python (`args.<name>`) | TypeScript (`DatasetArgs`) | default |
 * |---|---|---|
 * | num_samples      | numSamples      | 5000 |
 * | train_split      | trainSplit      | 0.8 |
 * | template_len     | templateLen     | 12 |
 * | padding          | padding         | [36, 60] |
 * | scale_coeff      | scaleCoeff      | 0.4 |
 * | max_translation  | maxTranslation  | 48 |
 * | corr_noise_scale | corrNoiseScale  | 0.25 |
 * | iid_noise_scale  | iidNoiseScale   | 2e-2 |
 * | shear_scale      | shearScale      | 0.75 |
 * | shuffle_seq      | shuffleSeq      | false |
 * | final_seq_length | finalSeqLength  | 40 |
 * | seed             | seed            | 42 |
 * | url              | url             | https://github.com/greydanus/mnist1d/raw/master/mnist1d_data.pkl |
 *
 * `argsFromPython` / `argsToPython` convert between the two spellings.
 */
export interface DatasetArgs {
  numSamples: number;
  trainSplit: number;
  templateLen: number;
  padding: [number, number];
  scaleCoeff: number;
  maxTranslation: number;
  corrNoiseScale: number;
  iidNoiseScale: number;
  shearScale: number;
  shuffleSeq: boolean;
  finalSeqLength: number;
  seed: number;
  url: string;
}

export const MNIST1D_URL = 'https://github.com/greydanus/mnist1d/raw/master/mnist1d_data.pkl';

/** TypeScript name -> Python name. */
export const PYTHON_ARG_NAMES: Readonly<Record<keyof DatasetArgs, string>> = Object.freeze({
  numSamples: 'num_samples',
  trainSplit: 'train_split',
  templateLen: 'template_len',
  padding: 'padding',
  scaleCoeff: 'scale_coeff',
  maxTranslation: 'max_translation',
  corrNoiseScale: 'corr_noise_scale',
  iidNoiseScale: 'iid_noise_scale',
  shearScale: 'shear_scale',
  shuffleSeq: 'shuffle_seq',
  finalSeqLength: 'final_seq_length',
  seed: 'seed',
  url: 'url',
});

const ARG_KEYS = Object.keys(PYTHON_ARG_NAMES) as (keyof DatasetArgs)[];

function defaults(): DatasetArgs {
  return {
    numSamples: 5000,
    trainSplit: 0.8,
    templateLen: 12,
    padding: [36, 60],
    scaleCoeff: 0.4,
    maxTranslation: 48,
    corrNoiseScale: 0.25,
    iidNoiseScale: 2e-2,
    shearScale: 0.75,
    shuffleSeq: false,
    finalSeqLength: 40,
    seed: 42,
    url: MNIST1D_URL,
  };
}

/** `get_dataset_args()`, with optional overrides (validated; unknown names are an error). */
export function getDatasetArgs(overrides: Partial<DatasetArgs> = {}): DatasetArgs {
  for (const k of Object.keys(overrides)) {
    if (!(ARG_KEYS as string[]).includes(k)) {
      const py = Object.entries(PYTHON_ARG_NAMES).find(([, p]) => p === k);
      throw new TypeError(`Unknown MNIST-1D argument '${k}'${py ? ` (the TypeScript name is '${py[0]}')` : ''}; known: ${ARG_KEYS.join(', ')}`);
    }
  }
  const args: DatasetArgs = { ...defaults() };
  for (const k of ARG_KEYS) {
    const v = overrides[k];
    if (v !== undefined) (args as unknown as Record<string, unknown>)[k] = k === 'padding' ? [...(v as number[])] : v;
  }
  validateDatasetArgs(args);
  return args;
}

function fail(name: keyof DatasetArgs, message: string, value: unknown): never {
  throw new RangeError(`MNIST-1D argument ${name} (${PYTHON_ARG_NAMES[name]}) ${message}, got ${JSON.stringify(value)}`);
}

function intAtLeast(args: DatasetArgs, name: keyof DatasetArgs, min: number): void {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(name, 'must be an integer', v);
  if (v < min) fail(name, `must be >= ${min}`, v);
}

function nonNegative(args: DatasetArgs, name: keyof DatasetArgs): void {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, 'must be a finite number', v);
  if (v < 0) fail(name, 'must be >= 0', v);
}

/** Throws a RangeError / TypeError naming the first invalid argument. */
export function validateDatasetArgs(args: DatasetArgs): void {
  if (args === null || typeof args !== 'object') throw new TypeError('MNIST-1D arguments must be an object (see getDatasetArgs())');
  intAtLeast(args, 'numSamples', 10); // at least one sample per class (num_samples // 10 per class)
  const s = args.trainSplit;
  if (typeof s !== 'number' || !(s > 0 && s < 1)) fail('trainSplit', 'must be a number strictly between 0 and 1', s);
  intAtLeast(args, 'templateLen', 1);
  const p = args.padding;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((v) => Number.isSafeInteger(v))) fail('padding', 'must be two integers [low, high]', p);
  if (p[0] < 0) fail('padding', 'must have low >= 0', p);
  if (p[0] > p[1]) fail('padding', 'must have low <= high', p);
  nonNegative(args, 'scaleCoeff');
  intAtLeast(args, 'maxTranslation', 1); // np.random.choice(0) is an error
  nonNegative(args, 'corrNoiseScale');
  nonNegative(args, 'iidNoiseScale');
  nonNegative(args, 'shearScale');
  if (typeof args.shuffleSeq !== 'boolean') fail('shuffleSeq', 'must be a boolean', args.shuffleSeq);
  intAtLeast(args, 'finalSeqLength', 2);
  intAtLeast(args, 'seed', 0);
  if (args.seed > 0xffffffff) fail('seed', 'must be < 2**32', args.seed);
  if (typeof args.url !== 'string') fail('url', 'must be a string', args.url);
}

/** Arguments from the Python spelling (`{num_samples: 60, shuffle_seq: true}`), validated. */
export function argsFromPython(py: Record<string, unknown>): DatasetArgs {
  const overrides: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(py)) {
    const ts = (Object.entries(PYTHON_ARG_NAMES) as [keyof DatasetArgs, string][]).find(([, p]) => p === k);
    if (!ts) throw new TypeError(`Unknown MNIST-1D argument '${k}'`);
    overrides[ts[0]] = v;
  }
  return getDatasetArgs(overrides as Partial<DatasetArgs>);
}

/** Arguments in the Python spelling, in the package's order. */
export function argsToPython(args: DatasetArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ARG_KEYS) out[PYTHON_ARG_NAMES[k]] = k === 'padding' ? [...args.padding] : args[k];
  return out;
}

/** True when `args` generate the official dataset (every argument but `url` at its default). */
export function isDefaultArgs(args: DatasetArgs): boolean {
  const d = defaults();
  return ARG_KEYS.every((k) => k === 'url' || JSON.stringify(args[k]) === JSON.stringify(d[k]));
}
