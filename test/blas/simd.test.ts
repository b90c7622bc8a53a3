/**
 * The WebAssembly SIMD kernels of the blas backend (src/lib/blas/simd.ts) give the same float32
 * results, bit for bit, as the JavaScript kernels they replace, and the committed module is the
 * compilation of its generator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { setSimd, simd, simdAvailable, SIMD_MIN } from '../../src/lib/blas/simd.js';
import { data, skip } from './helpers.js';
import { manualSeed } from '../../src/lib/random/torch-generator.js';
import { buildClassifier } from '../../src/lib/training/classifier.js';
import { crossEntropyLoss } from '../../src/lib/nn/functional.js';
import { LSTM, RNN } from '../../src/lib/nn/recurrent.js';
import { lab8Cells } from '../../src/solutions/index.js';

const skipSimd = skip || (simdAvailable ? false : 'WebAssembly SIMD unavailable');

/** Inputs with the awkward values mixed in: NaN, infinities, signed zeros, denormals, large and tiny. */
function values(n: number, seed: number): Float32Array {
  const v = data(n, seed);
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -3e-39, 3e38, -3e38, 1e-30];
  for (let i = 0; i < n; i += 13) v[i] = special[(i / 13 + seed) % special.length]!;
  return v;
}

/** Both arrays equal bit for bit (NaN payloads aside). */
function sameBits(got: Float32Array, want: Float32Array, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i]!;
    const b = want[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Object.is(a, b)) assert.fail(`${label}: [${i}] SIMD ${a}, JavaScript ${b}`);
  }
}

/** Runs `run` with SIMD on, then off, and compares every output bit for bit. */
function sameOnAndOff(run: () => Float32Array[], label: (i: number) => string): void {
  try {
    setSimd(true);
    const on = run();
    setSimd(false);
    const off = run();
    assert.equal(on.length, off.length);
    on.forEach((v, i) => sameBits(v, off[i]!, label(i)));
  } finally {
    setSimd(true);
  }
}

/** fn on the blas backend with SIMD on and off: the same outputs bit for bit. */
async function check(label: string, specs: { shape: number[]; seed: number }[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<void> {
  await tf.setBackend('blas');
  sameOnAndOff(() => {
    const xs = specs.map((s) => tf.tensor(values(s.shape.reduce((p, q) => p * q, 1), s.seed), s.shape));
    const out = tf.tidy(() => fn(...xs));
    const list = Array.isArray(out) ? out : [out];
    const res = list.map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([...list, ...xs]);
    return res;
  }, (i) => `${label} output ${i}`);
}

test('src/lib/blas/simd-wasm.ts is the compilation of scripts/simd/kernels.mjs', async () => {
  // @ts-expect-error: a JavaScript build script without type declarations
  const build = (await import('../../scripts/build-simd.mjs')) as { expected(): Promise<string>; outPath: string };
  assert.equal(readFileSync(build.outPath, 'utf8'), await build.expected(), 'run npm run build:wasm');
});

test('the SIMD module loads here, and RNNKIT_BLAS_SIMD=0 turns it off', () => {
  assert.ok(simdAvailable, 'WebAssembly SIMD should load on Node 20');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e',
    "const m = await import('./src/lib/blas/simd.ts'); console.log(JSON.stringify([m.simdAvailable, m.simd() === undefined]));"], {
    env: { ...process.env, RNNKIT_BLAS_SIMD: '0' },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), [false, true]);
});

test('SIMD add / sub / mul / div equal the JavaScript kernels bit for bit in every broadcast form', { skip: skipSimd }, async () => {
  const pairs: [number[], number[]][] = [
    [[100, 30], [100, 30]], // equal shapes
    [[7, 37], [7, 37]], // not a multiple of 4
    [[1000], []], // scalar b
    [[], [1000]], // scalar a
    [[1], [3, 50]], // single element of lower rank... broadcast as a scalar
    [[50, 30], [30]], // bias row
    [[30], [50, 30]],
    [[50, 31], [1, 31]],
    [[50, 30], [50, 1]], // a column
    [[50, 1], [50, 30]],
    [[4, 25, 30], [30]], // rank 3, collapses to rows
    [[4, 25, 30], [4, 25, 1]],
    [[2, 3, 5, 7], [5, 7]],
    [[4, 1, 30], [1, 25, 30]], // outer-product form: stays in JavaScript
    [[64], [64]], // below SIMD_MIN
  ];
  const ops: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor][] = [
    ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div],
  ];
  for (const [sa, sb] of pairs) {
    for (const [name, op] of ops) {
      await check(`${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`, [{ shape: sa, seed: 3 }, { shape: sb, seed: 5 }], op);
    }
  }
});

test('SIMD sigmoid / tanh / exp / neg / square / sqrt / relu and the sigmoid / tanh gradients equal the JavaScript kernels', { skip: skipSimd }, async () => {
  for (const shape of [[100, 30], [3, 333], [SIMD_MIN + 1]]) {
    for (const [name, op] of [['sigmoid', tf.sigmoid], ['tanh', tf.tanh], ['exp', tf.exp], ['neg', tf.neg], ['square', tf.square], ['sqrt', tf.sqrt], ['relu', tf.relu]] as const) {
      await check(`${name} ${shape}`, [{ shape, seed: 7 }], (x) => op(x));
      // the whole range: the clamps of exp / sigmoid / tanh, tanh's small-argument branch, denormal results
      await check(`${name} ${shape} x 120`, [{ shape, seed: 8 }], (x) => op(tf.mul(x, 120)));
      await check(`${name} ${shape} x 1e-3`, [{ shape, seed: 8 }], (x) => op(tf.mul(x, 1e-3)));
    }
    await check(`sigmoid gradient ${shape}`, [{ shape, seed: 9 }, { shape, seed: 11 }], (x, dy) => tf.grad((v: tf.Tensor) => tf.sigmoid(v))(x, dy));
    await check(`tanh gradient ${shape}`, [{ shape, seed: 9 }, { shape, seed: 11 }], (x, dy) => tf.grad((v: tf.Tensor) => tf.tanh(v))(x, dy));
  }
});

test('SIMD column sums, splits and concatenations equal the JavaScript kernels', { skip: skipSimd }, async () => {
  await check('sum axis 0 [100, 30]', [{ shape: [100, 30], seed: 2 }], (x) => tf.sum(x, 0));
  await check('sum axis 0 [100, 31] (odd columns)', [{ shape: [100, 31], seed: 2 }], (x) => tf.sum(x, 0));
  await check('sum axis 1 [4, 50, 7]', [{ shape: [4, 50, 7], seed: 4 }], (x) => tf.sum(x, 1, true));
  await check('sum axis [0, 1] [8, 10, 5]', [{ shape: [8, 10, 5], seed: 4 }], (x) => tf.sum(x, [0, 1]));
  await check('split [100, 30] -> 20 | 10', [{ shape: [100, 30], seed: 6 }], (x) => tf.split(x, [20, 10], 1));
  await check('split [100, 40] in 4', [{ shape: [100, 40], seed: 6 }], (x) => tf.split(x, 4, 1));
  await check('split [5, 40, 7] axis 1 -> 1 | 0 | 39', [{ shape: [5, 40, 7], seed: 6 }], (x) => tf.split(x, [1, 0, 39], 1));
  await check('concat [100, 20] | [100, 10]', [{ shape: [100, 20], seed: 8 }, { shape: [100, 10], seed: 10 }], (a, b) => tf.concat([a, b], 1));
  await check('concat three along axis 1 of rank 3', [{ shape: [6, 3, 5], seed: 8 }, { shape: [6, 1, 5], seed: 10 }, { shape: [6, 7, 5], seed: 12 }], (a, b, c) => tf.concat([a, b, c], 1));
});

test('the SIMD memory grows for large arrays and stays correct afterwards', { skip: skipSimd }, () => {
  const s = simd()!;
  const n = 3_000_001; // 36 MB for the three regions: more than the module's initial 1 MB
  const a = data(n, 1);
  const b = data(n, 2);
  const out = new Float32Array(n);
  s.binary('mul', 'rr', a, b, out, 1, n, 0, 0);
  for (const i of [0, 1, 12345, n - 2, n - 1]) assert.equal(out[i], Math.fround(a[i]! * b[i]!), `[${i}]`);
  const small = new Float32Array(200);
  s.binary('sub', 'rs', a.subarray(0, 200), Float32Array.of(0.5), small, 1, 200, 0, 0);
  for (let i = 0; i < 200; i++) assert.equal(small[i], Math.fround(a[i]! - 0.5));
});

test('a Lab 8 GRU training step gives the same loss and gradients with and without SIMD', { skip: skipSimd }, async () => {
  await tf.setBackend('blas');
  const run = () => {
    manualSeed(3);
    const model = buildClassifier(lab8Cells.gru, 10, 40);
    const x = tf.tensor(data(100 * 40, 21), [100, 40]);
    const y = tf.tensor1d(Array.from({ length: 100 }, (_, i) => (i * 7) % 10), 'int32');
    const { value, grads } = tf.variableGrads(() => crossEntropyLoss(model.apply(x), y) as tf.Scalar, model.parameters());
    const res = [Float32Array.from(value.dataSync()), ...model.parameters().map((p) => Float32Array.from(grads[p.name]!.dataSync()))];
    tf.dispose([value, ...Object.values(grads), x, y]);
    model.dispose();
    return res;
  };
  sameOnAndOff(run, (i) => (i === 0 ? 'loss' : `gradient ${i - 1}`));
});

test('the fused LSTM and RNN layers give the same outputs and gradients with and without SIMD', { skip: skipSimd }, async () => {
  await tf.setBackend('blas');
  for (const [kind, H] of [['lstm', 12], ['lstm', 7], ['rnn', 40]] as const) {
    const run = () => {
      manualSeed(5);
      const layer = kind === 'lstm' ? new LSTM(6, H, { numLayers: 2, batchFirst: true }) : new RNN(6, H, { batchFirst: true });
      const x = tf.tensor(values(9 * 11 * 6, 13).map((v) => (Number.isFinite(v) ? v : 0.5)), [9, 11, 6]);
      const params = layer.parameters();
      const { value, grads } = tf.variableGrads(() => {
        const [out, last] = layer.call(x);
        const states = Array.isArray(last) ? last : [last];
        // the output of every step and the final states, so that every gradient input is used
        return tf.add(tf.sum(tf.mul(out, out)), tf.sum(tf.stack(states.map((s) => tf.sum(s))))) as tf.Scalar;
      }, params);
      const res = [Float32Array.from(value.dataSync()), ...params.map((p) => Float32Array.from(grads[p.name]!.dataSync()))];
      tf.dispose([value, ...Object.values(grads), x]);
      layer.dispose();
      return res;
    };
    sameOnAndOff(run, (i) => `${kind} H=${H} ${i === 0 ? 'loss' : `gradient ${i - 1}`}`);
  }
});
