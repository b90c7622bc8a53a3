import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BLAS_KERNELS, loadNblas, registerBlasBackend } from '../../src/lib/blas/index.js';
import { compare, registration, skip } from './helpers.js';

const bools = [false, true];

/** [a shape, b shape] without transposes, as (batch dims, m, k) and (batch dims, k, n). */
const CASES: { name: string; aBatch: number[]; bBatch: number[]; m: number; k: number; n: number }[] = [
  { name: 'rank 2', aBatch: [], bBatch: [], m: 5, k: 7, n: 3 },
  { name: 'rank 2, one row', aBatch: [], bBatch: [], m: 1, k: 9, n: 4 },
  { name: 'rank 2, larger', aBatch: [], bBatch: [], m: 64, k: 156, n: 512 },
  { name: 'batch 3 x batch 3', aBatch: [3], bBatch: [3], m: 4, k: 6, n: 5 },
  { name: 'batch 3 x batch 1 (broadcast)', aBatch: [3], bBatch: [1], m: 4, k: 6, n: 5 },
  { name: 'batch 1 x batch 3 (broadcast)', aBatch: [1], bBatch: [3], m: 4, k: 6, n: 5 },
  { name: 'batch 3 x rank 2 (broadcast)', aBatch: [3], bBatch: [], m: 4, k: 6, n: 5 },
  { name: 'rank 2 x batch 3 (broadcast)', aBatch: [], bBatch: [3], m: 4, k: 6, n: 5 },
  { name: 'batch [2,3] x batch [2,3]', aBatch: [2, 3], bBatch: [2, 3], m: 3, k: 4, n: 2 },
  { name: 'batch [2,3] x batch [1,1] (broadcast)', aBatch: [2, 3], bBatch: [1, 1], m: 3, k: 4, n: 2 },
];

function shapes(c: (typeof CASES)[number], tA: boolean, tB: boolean): [number[], number[]] {
  return [
    [...c.aBatch, ...(tA ? [c.k, c.m] : [c.m, c.k])],
    [...c.bBatch, ...(tB ? [c.n, c.k] : [c.k, c.n])],
  ];
}

test('nblas loads, and a missing binding gives a clear reason without registering', { skip }, async () => {
  assert.equal(registration.ok, true);
  assert.match(registration.reason, /^OpenBLAS sgemm through nblas \d/);
  const again = await registerBlasBackend();
  assert.equal(again.ok, true, 'idempotent');
  assert.match(again.reason, /already registered/);
  assert.ok(tf.findBackendFactory('blas'));
  for (const k of BLAS_KERNELS) assert.ok(tf.getKernel(k, 'blas'), `kernel ${k} registered on blas`);
  const onBlas = new Set(tf.getKernelsForBackend('blas').map((k) => k.kernelName));
  for (const k of tf.getKernelsForBackend('cpu')) assert.ok(onBlas.has(k.kernelName), `cpu kernel ${k.kernelName} is on blas`);
});

test('a missing nblas is reported, not thrown', async () => {
  const l = loadNblas('nblas-that-does-not-exist');
  assert.equal(l.ok, false);
  assert.equal(l.reason, 'nblas-that-does-not-exist not installed (optional; needs libopenblas-dev)');
  if (!registration.ok) {
    assert.match(registration.reason, /^nblas (not installed|failed)/);
  }
});

test('without nblas, registerBlasBackend says why and registers nothing (fresh process)', () => {
  const index = fileURLToPath(new URL('../../src/lib/blas/index.ts', import.meta.url));
  const code = `
    import * as tf from '@tensorflow/tfjs';
    const { registerBlasBackend } = await import(${JSON.stringify(index)});
    const r = await registerBlasBackend({ moduleName: 'nblas-not-here' });
    console.log(JSON.stringify({ ...r, factory: tf.findBackendFactory('blas') != null }));`;
  const p = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
  assert.equal(p.status, 0, p.stderr);
  const r = JSON.parse(p.stdout.trim().split('\n').pop()!);
  assert.deepEqual(r, { ok: false, reason: 'nblas-not-here not installed (optional; needs libopenblas-dev)', factory: false });
});

test('BatchMatMul matches cpu for every transpose and batch combination', { skip }, async () => {
  let seed = 1;
  for (const c of CASES) {
    for (const tA of bools) {
      for (const tB of bools) {
        const [sa, sb] = shapes(c, tA, tB);
        await compare(`${c.name} tA=${tA} tB=${tB}`, [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }], (a, b) => tf.matMul(a!, b!, tA, tB), { atol: 1e-5, rtol: 1e-5 });
      }
    }
  }
});

test('matMul with a zero inner dimension gives zeros', { skip }, async () => {
  await compare('k=0', [{ shape: [3, 0], seed: 1 }, { shape: [0, 4], seed: 2 }], (a, b) => tf.matMul(a!, b!));
});

test('int32 matMul falls back to the cpu kernel', { skip }, async () => {
  await tf.setBackend('blas');
  const r = tf.tidy(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor2d([[5], [6]], undefined, 'int32')));
  assert.equal(r.dtype, 'int32');
  assert.deepEqual(await r.array(), [[17], [39]]);
  r.dispose();
});

const ACTIVATIONS = ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid', 'prelu'] as const;

test('_FusedMatMul matches cpu: transposes, batches, bias shapes, every activation', { skip }, async () => {
  let seed = 100;
  const fusedCases = [CASES[0]!, CASES[2]!, CASES[3]!, CASES[4]!, CASES[6]!];
  for (const c of fusedCases) {
    for (const tA of bools) {
      for (const tB of bools) {
        for (const activation of ACTIVATIONS) {
          const [sa, sb] = shapes(c, tA, tB);
          const biasShapes: (number[] | null)[] = [null, [c.n], [1, c.n], [c.m, c.n], [1]];
          for (const bs of biasShapes) {
            const specs = [{ shape: sa, seed: seed++, scale: 3 }, { shape: sb, seed: seed++ }];
            if (bs) specs.push({ shape: bs, seed: seed++ });
            const preluSpec = { shape: [c.n], seed: seed++ };
            specs.push(preluSpec);
            await compare(
              `${c.name} tA=${tA} tB=${tB} ${activation} bias=${bs ? `[${bs}]` : 'none'}`,
              specs,
              (...xs) => {
                const [a, b] = xs;
                const bias = bs ? xs[2] : undefined;
                const prelu = xs[xs.length - 1];
                return tf.fused.matMul({
                  a: a!, b: b!, transposeA: tA, transposeB: tB, bias, activation,
                  preluActivationWeights: activation === 'prelu' ? prelu : undefined,
                  leakyreluAlpha: 0.1,
                });
              },
              { atol: 2e-5, rtol: 2e-5 },
            );
          }
        }
      }
    }
  }
});

test('gradients through matMul match cpu for every transpose and batch combination', { skip }, async () => {
  let seed = 500;
  // tfjs 4.22 has no gradient for broadcast batch dims (its own check throws on every backend).
  for (const c of CASES.filter((x) => x.aBatch.join() === x.bBatch.join())) {
    for (const tA of bools) {
      for (const tB of bools) {
        const [sa, sb] = shapes(c, tA, tB);
        await compare(
          `grad ${c.name} tA=${tA} tB=${tB}`,
          [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }],
          (a, b) => tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(tf.matMul(x, y, tA, tB))))([a!, b!]),
          // 512-term sums of values up to ~700: entries that cancel differ by float32 rounding of the largest
          { atol: 1e-4, rtol: 1e-4, ofLargest: 1e-6 },
        );
      }
    }
  }
});

test('gradients through the fused matMul (bias, activations) match cpu', { skip }, async () => {
  let seed = 900;
  // tfjs implements fused-matMul gradients for these activations.
  for (const activation of ['linear', 'relu', 'relu6', 'elu', 'leakyrelu', 'sigmoid'] as const) {
    for (const tA of bools) {
      for (const tB of bools) {
        for (const c of [CASES[0]!, CASES[3]!]) {
          const [sa, sb] = shapes(c, tA, tB);
          await compare(
            `fused grad ${activation} ${c.name} tA=${tA} tB=${tB}`,
            [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }, { shape: [c.n], seed: seed++ }],
            (a, b, bias) =>
              tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
                tf.sum(tf.square(tf.fused.matMul({ a: x, b: y, bias: z, transposeA: tA, transposeB: tB, activation, leakyreluAlpha: 0.1 }))),
              )([a!, b!, bias!]),
            { atol: 1e-4, rtol: 1e-4 },
          );
        }
      }
    }
  }
});
