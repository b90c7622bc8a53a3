/**
 * The one settings module (src/lib/settings.ts) and where the library applies it: a DataLoader
 * pass, `trange` over epochs and `timeit` stop early in a shortened run, without the notebook
 * asking; bad values are errors naming the variable and what it accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { README, settingsTable, withTable } from '../../scripts/docs-settings.js';
import {
  LIMIT_VARIABLES, QUICK_LIMITS, SET_BY_THE_KIT, SETTINGS, checkSettings, limit, outputDir, setting, settings, solutionsEnabled,
  type SettingDeclaration, type SettingName,
} from '../../src/lib/settings.js';
import { DataLoader, TensorDataset } from '../../src/lib/training/data.js';
import { trange } from '../../src/lib/progress.js';
import { timeit } from '../../src/lib/timing.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VARS = Object.keys(SETTINGS);

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

test('every declared variable: an unset or blank value is its default, a bad one an error naming it and what it accepts', () => {
  const bad: Record<SettingName, string | undefined> = {
    RNNKIT_BACKEND: 'quantum', RNNKIT_BLAS_SIMD: 'maybe', RNNKIT_BLAS_RELAXED: '2', RNNKIT_DATA_DIR: undefined, RNNKIT_DATA_MIRROR: 'ftp://x',
    RNNKIT_SOLUTIONS: 'please', RNNKIT_EPOCHS: '0', RNNKIT_BATCHES: '1.5', RNNKIT_TIMEIT_RUNS: 'ten', RNNKIT_QUICK: '2',
    RNNKIT_OUTPUT_DIR: undefined, RNNKIT_RUNS_DIR: undefined, RNNKIT_DISPLAY: 'html', RNNKIT_VERBOSE: 'loud', RNNKIT_SKIP_KERNEL: 'yes',
  };
  for (const [name, d] of Object.entries(SETTINGS) as [SettingName, SettingDeclaration][]) {
    assert.equal(d.name, name);
    assert.ok(d.accepts && d.default && d.description && !d.description.includes('\n'), `${name} is documented`);
    withEnv({ [name]: undefined }, () => assert.equal(setting(name), undefined));
    withEnv({ [name]: '  ' }, () => assert.equal(setting(name), undefined));
    const b = bad[name];
    if (b === undefined) continue; // a folder: any path is one
    const accepts = d.accepts.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    withEnv({ [name]: b }, () => assert.throws(() => setting(name), new RegExp(`^SettingError: ${name} must be ${accepts}, got "${b.replace('.', '\\.')}"$`)));
  }
  withEnv({ RNNKIT_BACKEND: ' OpenBLAS ' }, () => assert.equal(setting('RNNKIT_BACKEND'), 'blas'));
  withEnv({ RNNKIT_BLAS_SIMD: 'off' }, () => assert.equal(setting('RNNKIT_BLAS_SIMD'), false));
  withEnv({ RNNKIT_RUNS_DIR: 'logs' }, () => assert.equal(setting('RNNKIT_RUNS_DIR'), resolve('logs')));
  withEnv({ RNNKIT_DISPLAY: 'text' }, () => assert.equal(setting('RNNKIT_DISPLAY'), 'text'));
  withEnv({ RNNKIT_VERBOSE: 'loud' }, () => {
    assert.throws(() => checkSettings('kernel'), /RNNKIT_VERBOSE must be 1 or 0/);
    assert.doesNotThrow(() => checkSettings('library'));
  });
  withEnv({ RNNKIT_EPOCHS: 'x' }, () => assert.throws(() => checkSettings(), /RNNKIT_EPOCHS must be a positive whole number/));
});

test('the README settings table is the one generated from the declarations (npm run docs:settings)', () => {
  const readme = readFileSync(README, 'utf8');
  assert.equal(withTable(readme), readme, 'README.md is stale: run npm run docs:settings');
  const table = settingsTable();
  for (const name of [...Object.keys(SETTINGS), ...Object.keys(SET_BY_THE_KIT)]) assert.match(table, new RegExp(`\\| \`${name}\` \\||- \`${name}\` is not a setting`));
  assert.throws(() => withTable('# no table'), /README.md has no settings table/);
});

/** Files of the project under `dir` (recursively) whose names end with one of `exts`. */
function files(dir: string, exts: string[]): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => exts.some((e) => f.endsWith(e)))
    .map((f) => join(dir, f));
}

test('every RNNKIT_ variable the project names is declared, each declared one is read, and only the settings module reads them', () => {
  const declared = new Set<string>([...Object.keys(SETTINGS), ...Object.keys(SET_BY_THE_KIT)]);
  const sources = [...files('src', ['.ts']), ...files('scripts', ['.ts', '.mjs']), ...files('docs', ['.md']), ...files('bench', ['.ts']), 'README.md', '.ci/run'];
  const text = new Map(sources.map((f) => [f, readFileSync(join(ROOT, f), 'utf8')]));
  for (const [f, t] of text) {
    for (const m of t.matchAll(/RNNKIT_[A-Z_]*[A-Z]/g)) assert.ok(declared.has(m[0]), `${f} names ${m[0]}, which src/lib/settings.ts does not declare`);
  }
  // Read through the module: setting('RNNKIT_X'), or a limit kind's variable by limit('kind', n); postinstall
  // (it runs before the build) reads its one variable itself.
  const code = [...text].filter(([f]) => /\.(ts|mjs)$/.test(f));
  for (const [name, d] of Object.entries(SETTINGS) as [SettingName, SettingDeclaration][]) {
    const limitKind = Object.entries(LIMIT_VARIABLES).find(([, v]) => v === name)?.[0];
    const read = d.readBy === 'install'
      ? text.get(join('scripts', 'postinstall.mjs'))!.includes(`process.env.${name}`)
      : code.some(([, t]) => t.includes(`setting('${name}')`) || (limitKind !== undefined && t.includes(`limit('${limitKind}', `)));
    assert.ok(read, `${name} is declared but nothing reads it`);
  }
  for (const [f, t] of code) {
    if (f === join('src', 'lib', 'settings.ts')) continue;
    if (f === join('scripts', 'postinstall.mjs') || f.startsWith('bench')) continue;
    for (const m of t.matchAll(/process\.env(?:\.|\[['"])(RNNKIT_\w+)/g)) {
      const assignment = new RegExp(`process\\.env(?:\\.|\\[['"])${m[1]}['"]?\\]?\\s*=[^=]`).test(t.slice(m.index));
      assert.ok(assignment && m[1]! in SET_BY_THE_KIT, `${f} reads ${m[1]} itself instead of through src/lib/settings.ts`);
    }
  }
});
