import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argsFromPython, argsToPython, getDatasetArgs, isDefaultArgs, MNIST1D_URL, PYTHON_ARG_NAMES, validateDatasetArgs, type DatasetArgs } from '../../src/lib/mnist1d/args.js';
import { makeDataset } from '../../src/lib/mnist1d/make-dataset.js';

test('defaults are the package defaults', () => {
  assert.deepEqual(argsToPython(getDatasetArgs()), {
    num_samples: 5000,
    train_split: 0.8,
    template_len: 12,
    padding: [36, 60],
    scale_coeff: 0.4,
    max_translation: 48,
    corr_noise_scale: 0.25,
    iid_noise_scale: 2e-2,
    shear_scale: 0.75,
    shuffle_seq: false,
    final_seq_length: 40,
    seed: 42,
    url: MNIST1D_URL,
  });
  assert.equal(Object.keys(PYTHON_ARG_NAMES).length, 13);
  assert.ok(isDefaultArgs(getDatasetArgs()));
  assert.ok(isDefaultArgs(getDatasetArgs({ url: 'http://elsewhere/x.pkl' })));
  assert.ok(!isDefaultArgs(getDatasetArgs({ seed: 1 })));
  assert.ok(!isDefaultArgs(getDatasetArgs({ padding: [36, 61] })));
});

test('overrides and the Python spelling', () => {
  const a = getDatasetArgs({ numSamples: 100, shuffleSeq: true });
  assert.equal(a.numSamples, 100);
  assert.equal(a.shuffleSeq, true);
  assert.deepEqual(argsFromPython({ num_samples: 100, shuffle_seq: true }), a);
  // the padding array is copied, not shared
  const p: [number, number] = [1, 2];
  const b = getDatasetArgs({ padding: p });
  p[0] = 5;
  assert.deepEqual(b.padding, [1, 2]);
});

const bad: [Partial<DatasetArgs>, RegExp][] = [
  [{ numSamples: -5 }, /numSamples \(num_samples\) must be >= 10/],
  [{ numSamples: 9 }, /numSamples .* must be >= 10/],
  [{ numSamples: 100.5 }, /numSamples .* must be an integer/],
  [{ trainSplit: 0 }, /trainSplit .* strictly between 0 and 1/],
  [{ trainSplit: 1 }, /trainSplit .* strictly between 0 and 1/],
  [{ trainSplit: 1.5 }, /trainSplit/],
  [{ templateLen: 0 }, /templateLen .* >= 1/],
  [{ padding: [60, 36] }, /padding .* low <= high/],
  [{ padding: [-1, 3] }, /padding .* low >= 0/],
  [{ padding: [1.5, 3] }, /padding .* two integers/],
  [{ padding: [1] as unknown as [number, number] }, /padding .* two integers/],
  [{ scaleCoeff: -0.1 }, /scaleCoeff .* >= 0/],
  [{ maxTranslation: 0 }, /maxTranslation .* >= 1/],
  [{ corrNoiseScale: Number.NaN }, /corrNoiseScale .* finite/],
  [{ iidNoiseScale: -1 }, /iidNoiseScale/],
  [{ shearScale: Infinity }, /shearScale/],
  [{ finalSeqLength: 1 }, /finalSeqLength .* >= 2/],
  [{ finalSeqLength: 40.5 }, /finalSeqLength .* integer/],
  [{ seed: -1 }, /seed .* >= 0/],
  [{ seed: 2 ** 32 }, /seed .* < 2\*\*32/],
  [{ shuffleSeq: 'yes' as unknown as boolean }, /shuffleSeq .* boolean/],
];

for (const [overrides, re] of bad) {
  test(`invalid ${JSON.stringify(overrides)} is a clear error`, () => {
    assert.throws(() => getDatasetArgs(overrides), re);
    // also when an args object is built by hand and passed to makeDataset
    assert.throws(() => makeDataset({ ...getDatasetArgs(), ...overrides } as DatasetArgs), re);
  });
}

test('unknown and Python-spelled names are rejected with a hint', () => {
  assert.throws(() => getDatasetArgs({ num_samples: 10 } as unknown as Partial<DatasetArgs>), /Unknown MNIST-1D argument 'num_samples' \(the TypeScript name is 'numSamples'\)/);
  assert.throws(() => argsFromPython({ numSamples: 10 }), /Unknown MNIST-1D argument 'numSamples'/);
  assert.throws(() => validateDatasetArgs(null as unknown as DatasetArgs), /must be an object/);
});
