import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { QUICK_BATCHES, batchesSetting, outputDir } from '../../src/lib/settings.js';

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (vals: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(vals)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return fn();
  } finally {
    set(saved);
  }
}

test('batchesSetting: all batches by default; RNNKIT_BATCHES and RNNKIT_QUICK only shorten', () => {
  withEnv({ RNNKIT_BATCHES: undefined, RNNKIT_QUICK: undefined }, () => {
    assert.equal(batchesSetting(240), 240);
    assert.equal(batchesSetting(0), 0);
  });
  withEnv({ RNNKIT_BATCHES: '3', RNNKIT_QUICK: '1' }, () => assert.equal(batchesSetting(240), 3));
  withEnv({ RNNKIT_BATCHES: '1000', RNNKIT_QUICK: undefined }, () => assert.equal(batchesSetting(240), 240));
  withEnv({ RNNKIT_BATCHES: ' ', RNNKIT_QUICK: 'yes' }, () => assert.equal(batchesSetting(240), QUICK_BATCHES));
  withEnv({ RNNKIT_BATCHES: undefined, RNNKIT_QUICK: '0' }, () => assert.equal(batchesSetting(240), 240));
  withEnv({ RNNKIT_BATCHES: undefined, RNNKIT_QUICK: '1' }, () => assert.equal(batchesSetting(4), 4));
  for (const bad of ['0', '-2', '1.5', 'ten']) {
    withEnv({ RNNKIT_BATCHES: bad }, () => assert.throws(() => batchesSetting(240), /RNNKIT_BATCHES must be a positive integer/));
  }
  assert.throws(() => batchesSetting(-1), RangeError);
});

test('outputDir: the given folder, else RNNKIT_OUTPUT_DIR, else the working directory', () => {
  withEnv({ RNNKIT_OUTPUT_DIR: undefined }, () => {
    assert.equal(outputDir(), process.cwd());
    assert.equal(outputDir('figs'), resolve('figs'));
  });
  withEnv({ RNNKIT_OUTPUT_DIR: '/tmp/rnnkit-out' }, () => {
    assert.equal(outputDir(), '/tmp/rnnkit-out');
    assert.equal(outputDir('/x/y'), join('/x', 'y'));
  });
});
