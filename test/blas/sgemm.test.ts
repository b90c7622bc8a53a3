import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BLAS_KERNELS, loadWasmSgemm } from '../../src/lib/blas/index.js';
import { wasmSgemmBuild, type SgemmFlavour } from '../../src/lib/blas/sgemm.js';
import type { Nblas } from '../../src/lib/blas/nblas.js';
import { compare, data, skipWasm, wasmRegistration } from './helpers.js';

const bools = [false, true];
const ODD = [1, 3, 17, 129];
const NT = 111;
const TR = 112;

/** C = alpha op(A) op(B) + beta C in double precision, with strides lda / ldb / ldc. */
function reference(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, beta: number, c: Float32Array, ldc: number): Float64Array {
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i]!;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[tA ? p * lda + i : i * lda + p]! * b[tB ? j * ldb + p : p * ldb + j]!;
      out[i * ldc + j] = alpha * s + (beta === 0 ? 0 : beta * c[i * ldc + j]!);
    }
  }
  return out;
}

/** Checks every flag combination at the given sizes, strides and scalars against the reference. */
function check(blas: Nblas, label: string, m: number, n: number, k: number, opts: { alpha?: number; beta?: number; pad?: number } = {}): void {
  const { alpha = 1, beta = 0, pad = 0 } = opts;
  for (const tA of bools) {
    for (const tB of bools) {
      const lda = (tA ? m : k) + pad;
      const ldb = (tB ? k : n) + pad;
      const ldc = n + pad;
      const a = data((tA ? k : m) * lda, m * 7 + k);
      const b = data((tB ? n : k) * ldb, n * 11 + k);
      // beta = 0 must not read C: NaN there would show.
      const c = beta === 0 ? new Float32Array(m * ldc).fill(NaN) : data(m * ldc, m + n);
      const want = reference(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      blas.sgemm(tA ? TR : NT, tB ? TR : NT, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < ldc; j++) {
          const got = c[i * ldc + j]!;
          const w = want[i * ldc + j]!;
          if (j >= n) {
            // the gap between rows (ldc > n) is left alone
            assert.ok(Object.is(got, Math.fround(w)), `${label} tA=${tA} tB=${tB} ${m}x${n}x${k}: C[${i}, ${j}] in the row gap changed`);
            continue;
          }
          const tol = 1e-5 * (k + 1) * (1 + Math.abs(w));
          if (!(Math.abs(got - w) <= tol)) assert.fail(`${label} tA=${tA} tB=${tB} ${m}x${n}x${k} alpha=${alpha} beta=${beta} pad=${pad}: C[${i}, ${j}] = ${got}, expected ${w}`);
        }
      }
    }
  }
}

const builds: [SgemmFlavour, Nblas | undefined][] = [['relaxed-simd', wasmSgemmBuild('relaxed-simd')], ['simd', wasmSgemmBuild('simd')]];

test('the WebAssembly sgemm loads, passes its self-test and says which build it is', { skip: skipWasm }, () => {
  const l = loadWasmSgemm();
  assert.ok(l.ok);
  assert.match(l.reason, /^WebAssembly SIMD sgemm (with relaxed SIMD \(fused multiply-add\)|\(plain SIMD: .+\))$/);
  assert.equal(l.flavour === 'relaxed-simd', builds[0]![1] !== undefined && process.env.RNNKIT_BLAS_RELAXED !== '0', 'relaxed SIMD is used exactly where this Node validates it');
  assert.ok(wasmRegistration.ok);
  assert.equal(wasmRegistration.reason, l.reason);
  for (const k of BLAS_KERNELS) assert.ok(tf.getKernel(k, 'blas-wasm'), `kernel ${k} registered on blas-wasm`);
});

for (const [flavour, blas] of builds) {
  const why = blas ? false : `this Node ${process.version} does not validate the ${flavour} build`;
  test(`${flavour} sgemm: every transpose at odd sizes (1, 3, 17, 129) against a double-precision loop`, { skip: skipWasm || why }, () => {
    for (const m of ODD) for (const n of ODD) for (const k of ODD) check(blas!, flavour, m, n, k);
  });

  test(`${flavour} sgemm: alpha, beta (0 never reads C), leading dimensions wider than the matrix, k beyond one block`, { skip: skipWasm || why }, () => {
    for (const [alpha, beta] of [[1, 1], [0.5, 2], [-1, 0], [0, 0.5]] as const) check(blas!, flavour, 17, 129, 3, { alpha, beta });
    check(blas!, flavour, 5, 9, 7, { pad: 3, beta: 1 });
    check(blas!, flavour, 17, 3, 129, { pad: 1 });
    // k = 600 spans three blocks of 256; m = 9 and n = 13 leave partial tiles on both edges
    check(blas!, flavour, 9, 13, 600, { beta: 1 });
    // the shapes of recurrent training: a batch of 64 by 4H = 512 gates, H = 128
    check(blas!, flavour, 64, 512, 128);
  });
}

test('sgemm: empty products, subarray operands and bad flags', { skip: skipWasm }, () => {
  const l = loadWasmSgemm();
  assert.ok(l.ok);
  const { blas } = l;
  const c = Float32Array.from([1, 2, 3, 4]);
  blas.sgemm(NT, NT, 2, 2, 0, 1, new Float32Array(0), 0, new Float32Array(0), 2, 0.5, c, 2);
  assert.deepEqual(Array.from(c), [0.5, 1, 1.5, 2], 'k = 0: C = beta C');
  blas.sgemm(NT, NT, 0, 2, 3, 1, new Float32Array(0), 3, new Float32Array(6), 2, 0, c, 2);
  assert.deepEqual(Array.from(c), [0.5, 1, 1.5, 2], 'm = 0: nothing');
  // views into larger arrays (the batched matMul passes subarrays)
  const big = data(40, 3);
  const a = big.subarray(5, 11); // 2 x 3
  const b = big.subarray(20, 26); // 3 x 2
  const out = new Float32Array(10).fill(7);
  blas.sgemm(NT, NT, 2, 2, 3, 1, a, 3, b, 2, 0, out.subarray(3, 7), 2);
  const want = reference(false, false, 2, 2, 3, 1, a, 3, b, 2, 0, new Float32Array(4), 2);
  Array.from(want).forEach((w, i) => assert.ok(Math.abs(out[3 + i]! - w) < 1e-6));
  assert.deepEqual([...out.subarray(0, 3), ...out.subarray(7)], [7, 7, 7, 7, 7, 7], 'only the view is written');
  assert.throws(() => blas.sgemm(NT, 113, 1, 1, 1, 1, a, 1, b, 1, 0, out, 1), /transA \/ transB must be 111/);
  assert.throws(() => blas.sgemm(NT, NT, 4, 4, 4, 1, a, 4, b, 4, 0, out, 4), /shorter than its dimensions/);
});

test('sgemm: a product larger than the module may hold is split by rows of C, with the same result', { skip: skipWasm }, () => {
  // 64 x 128 by 128 x 64 needs about 37,000 floats: at most 30,000 splits it in two or four (a transposed A
  // still spans all its columns in each piece)
  const small = wasmSgemmBuild('simd', { maxFloats: 30000 })!;
  for (const [alpha, beta] of [[1, 0], [0.5, 1]] as const) check(small, 'split', 64, 64, 128, { alpha, beta });
  assert.throws(() => small.sgemm(NT, NT, 1, 8000, 4, 1, data(4, 1), 4, data(32000, 2), 8000, 0, new Float32Array(8000), 8000), /does not fit in the WebAssembly sgemm's memory \(at most 30000 floats\)/);
});

test('relaxed SIMD is detected, not assumed: a fresh Node with --experimental-wasm-relaxed-simd uses it', { skip: skipWasm || (Number(process.versions.node.split('.')[0]) >= 22 ? 'Node 22+ has relaxed SIMD without a flag' : false) }, () => {
  const sgemm = fileURLToPath(new URL('../../src/lib/blas/sgemm.ts', import.meta.url));
  const code = `const { loadWasmSgemm } = await import(${JSON.stringify(sgemm)}); const l = loadWasmSgemm(); console.log(JSON.stringify({ ok: l.ok, flavour: l.ok ? l.flavour : null, reason: l.reason }));`;
  const run = (flags: string[], env: NodeJS.ProcessEnv = {}) => {
    const p = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, RNNKIT_BLAS_RELAXED: '', ...env } });
    assert.equal(p.status, 0, p.stderr);
    return JSON.parse(p.stdout.trim().split('\n').pop()!) as { ok: boolean; flavour: string; reason: string };
  };
  assert.deepEqual(run(['--experimental-wasm-relaxed-simd']), { ok: true, flavour: 'relaxed-simd', reason: 'WebAssembly SIMD sgemm with relaxed SIMD (fused multiply-add)' });
  const plain = run([]);
  assert.equal(plain.flavour, 'simd');
  assert.match(plain.reason, /plain SIMD: Node 20\.\d+\.\d+ has no relaxed SIMD without --experimental-wasm-relaxed-simd/);
  assert.match(run(['--experimental-wasm-relaxed-simd'], { RNNKIT_BLAS_RELAXED: '0' }).reason, /plain SIMD: RNNKIT_BLAS_RELAXED=0/);
  // the relaxed build's correctness tests of this file, in a Node that validates it
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT; // a test run of its own, reporting to its stdout
  const p = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', '--test', '--test-reporter=tap', '--test-name-pattern=^relaxed-simd sgemm', fileURLToPath(import.meta.url)], { encoding: 'utf8', env });
  assert.equal(p.status, 0, p.stdout + p.stderr);
  assert.match(p.stdout, /# pass 2\n/, p.stdout);
  assert.match(p.stdout, /# fail 0\n/);
});

/** Odd sizes for tfjs-level products: (m, k, n). */
const ODD_SHAPES: [number, number, number][] = [[1, 1, 1], [3, 17, 129], [129, 3, 17], [17, 129, 3], [1, 129, 17]];

test('blas-wasm BatchMatMul matches cpu: every transpose, batch and broadcast at odd sizes, no tensor leaks', { skip: skipWasm }, async () => {
  let seed = 1;
  const batches: [number[], number[]][] = [[[], []], [[3], [3]], [[3], [1]], [[1], [3]], [[3], []], [[2, 3], [2, 3]]];
  for (const [m, k, n] of ODD_SHAPES) {
    for (const [ba, bb] of batches) {
      if (m * k * n > 4000 && ba.length > 0) continue;
      for (const tA of bools) {
        for (const tB of bools) {
          const sa = [...ba, ...(tA ? [k, m] : [m, k])];
          const sb = [...bb, ...(tB ? [n, k] : [k, n])];
          await compare(`${m}x${k}x${n} batch [${ba}] x [${bb}] tA=${tA} tB=${tB}`, [{ shape: sa, seed: seed++ }, { shape: sb, seed: seed++ }], (a, b) => tf.matMul(a!, b!, tA, tB), { atol: 1e-5, rtol: 1e-5 }, ['blas-wasm']);
        }
      }
    }
  }
});

test('blas-wasm _FusedMatMul matches cpu: bias as a rank-1 update (row bias) or broadcast add, activations, gradients', { skip: skipWasm }, async () => {
  let seed = 300;
  for (const [m, k, n] of ODD_SHAPES) {
    for (const tA of bools) {
      for (const tB of bools) {
        for (const bs of [null, [n], [1, n], [m, n], [1]] as (number[] | null)[]) {
          const specs = [{ shape: tA ? [k, m] : [m, k], seed: seed++ }, { shape: tB ? [n, k] : [k, n], seed: seed++ }];
          if (bs) specs.push({ shape: bs, seed: seed++ });
          for (const activation of ['linear', 'relu', 'sigmoid'] as const) {
            await compare(`fused ${m}x${k}x${n} tA=${tA} tB=${tB} bias=${bs ? `[${bs}]` : 'none'} ${activation}`, specs,
              (a, b, bias) => tf.fused.matMul({ a: a!, b: b!, bias, transposeA: tA, transposeB: tB, activation }), { atol: 2e-5, rtol: 2e-5 }, ['blas-wasm']);
          }
          if (bs && bs.length === 1 && bs[0] === n) {
            await compare(`fused grad ${m}x${k}x${n} tA=${tA} tB=${tB}`, specs,
              (a, b, bias) => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.square(tf.fused.matMul({ a: x, b: y, bias: z, transposeA: tA, transposeB: tB, activation: 'relu' }))))([a!, b!, bias!]),
              { atol: 1e-4, rtol: 1e-4 }, ['blas-wasm']);
          }
        }
      }
    }
  }
});

test('the committed sgemm-wasm.ts is the compilation of scripts/simd/sgemm.mjs', async () => {
  const { readFileSync } = await import('node:fs');
  // @ts-expect-error: a JavaScript build script without type declarations
  const build = (await import('../../scripts/build-simd.mjs')) as { expectedSgemm(): Promise<string>; sgemmOutPath: string };
  assert.equal(readFileSync(build.sgemmOutPath, 'utf8'), await build.expectedSgemm(), 'run npm run build:wasm');
});
