/**
 * The one settings module (src/lib/settings.ts) and where the library applies it: a DataLoader
 * pass, `trange` over epochs and `timeit` stop early in a shortened run, without the notebook
 * asking; bad values are errors naming the variable and what it accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { QUICK_LIMITS, limit, outputDir, settings, solutionsEnabled } from '../../src/lib/settings.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { trange } from '../../src/lib/progress.js';
import { timeit } from '../../src/lib/timing.js';

const VARS = ['RNNKIT_EPOCHS', 'RNNKIT_BATCHES', 'RNNKIT_TIMEIT_RUNS', 'RNNKIT_QUICK', 'RNNKIT_SOLUTIONS', 'RNNKIT_OUTPUT_DIR'];

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const all = { ...Object.fromEntries(VARS.map((k) => [k, undefined])), ...env };
  const saved = Object.fromEntries(Object.keys(all).map((k) => [k, process.env[k]]));
  const set = (vals: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vals)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(all);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

test('limit: all of a loop by default; its variable or RNNKIT_QUICK only shorten', () => {
  const cases = [['epochs', 'RNNKIT_EPOCHS'], ['batches', 'RNNKIT_BATCHES'], ['timeitRuns', 'RNNKIT_TIMEIT_RUNS']] as const;
  for (const [kind, name] of cases) {
    withEnv({}, () => assert.equal(limit(kind, 240), 240));
    withEnv({ [name]: '3' }, () => assert.equal(limit(kind, 240), 3));
    withEnv({ [name]: '3', RNNKIT_QUICK: '1' }, () => assert.equal(limit(kind, 240), 3, 'its own variable wins'));
    withEnv({ [name]: '1000' }, () => assert.equal(limit(kind, 240), 240, 'never lengthens'));
    withEnv({ [name]: ' ', RNNKIT_QUICK: 'yes' }, () => assert.equal(limit(kind, 240), QUICK_LIMITS[kind]));
    withEnv({ RNNKIT_QUICK: '0' }, () => assert.equal(limit(kind, 240), 240));
    withEnv({ RNNKIT_QUICK: '1' }, () => assert.equal(limit(kind, 1), 1));
    for (const bad of ['0', '-1', '2.5', 'many', '1e3']) {
      withEnv({ [name]: bad }, () => assert.throws(() => limit(kind, 240), new RegExp(`^SettingError: ${name} must be a positive whole number, got "${bad.replace('.', '\\.')}"$`)));
    }
  }
  assert.throws(() => limit('batches', -1), RangeError);
});

test('flags: RNNKIT_SOLUTIONS and RNNKIT_QUICK accept 1/0, true/false, yes/no, on/off; anything else is an error', () => {
  withEnv({}, () => assert.equal(solutionsEnabled(), false));
  for (const on of ['1', 'true', 'YES', 'on']) withEnv({ RNNKIT_SOLUTIONS: on }, () => assert.equal(solutionsEnabled(), true));
  for (const off of ['0', 'false', 'no', 'Off', '']) withEnv({ RNNKIT_SOLUTIONS: off }, () => assert.equal(solutionsEnabled(), false));
  withEnv({ RNNKIT_SOLUTIONS: 'please' }, () => assert.throws(() => solutionsEnabled(), /RNNKIT_SOLUTIONS must be 1 or 0 \(also true\/false, yes\/no, on\/off\), got "please"/));
  withEnv({ RNNKIT_QUICK: '2' }, () => assert.throws(() => settings(), /RNNKIT_QUICK must be 1 or 0/));
  withEnv({ RNNKIT_EPOCHS: '4', RNNKIT_QUICK: '1', RNNKIT_OUTPUT_DIR: '/tmp/o' }, () =>
    assert.deepEqual(settings(), { solutions: false, quick: true, limits: { epochs: 4 }, outputDir: '/tmp/o' }));
});

test('outputDir: the given folder, else RNNKIT_OUTPUT_DIR, else the working directory', () => {
  withEnv({}, () => {
    assert.equal(outputDir(), process.cwd());
    assert.equal(outputDir('figs'), resolve('figs'));
  });
  withEnv({ RNNKIT_OUTPUT_DIR: '/tmp/rnnkit-out' }, () => {
    assert.equal(outputDir(), '/tmp/rnnkit-out');
    assert.equal(outputDir('/x/y'), join('/x', 'y'));
  });
});

test('a DataLoader pass yields at most RNNKIT_BATCHES batches, shuffled or not, and its length says so', async () => {
  await tf.setBackend('cpu');
  const ds = new TensorDataset(tf.range(0, 100).reshape([100, 1]), tf.range(0, 100));
  for (const shuffle of [false, true]) {
    const loader = new DataLoader(ds, { batchSize: 8, shuffle });
    const before = tf.memory().numTensors;
    withEnv({}, () => {
      assert.equal(loader.length, 13);
      assert.equal([...loader].length, 13);
    });
    withEnv({ RNNKIT_BATCHES: '3' }, () => {
      assert.equal(loader.length, 3);
      let n = 0;
      for (const [x] of loader) { assert.deepEqual(x!.shape, [8, 1]); n++; }
      assert.equal(n, 3);
    });
    withEnv({ RNNKIT_QUICK: '1' }, () => assert.equal([...loader].length, QUICK_LIMITS.batches));
    withEnv({ RNNKIT_BATCHES: '0' }, () => assert.throws(() => loader.length, /RNNKIT_BATCHES must be a positive whole number/));
    loader.dispose();
    assert.equal(tf.memory().numTensors, before, 'no batch left behind');
  }
  tf.dispose([...ds.tensors]);
});

test('trange (the epochs of a training) yields at most RNNKIT_EPOCHS; timeit times RNNKIT_TIMEIT_RUNS calls and scales', () => {
  withEnv({ RNNKIT_EPOCHS: '2' }, () => assert.deepEqual([...trange(5)], [0, 1]));
  withEnv({}, () => assert.deepEqual([...trange(3)], [0, 1, 2]));
  withEnv({ RNNKIT_TIMEIT_RUNS: '4' }, () => {
    let calls = 0;
    const s = timeit(() => { calls++; }, 1000, { warmup: 0 });
    assert.equal(calls, 4);
    assert.ok(s >= 0 && Number.isFinite(s));
  });
});
