/** Shared helpers for the blas backend tests: run the same computation on 'cpu' and on each blas variant. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerBlasBackend, registerBlasWasmBackend } from '../../src/lib/blas/index.js';

export const registration = await registerBlasBackend();
export const wasmRegistration = await registerBlasWasmBackend();
/** `skip` option for node:test: the reason when nblas is absent, else false. */
export const skip: string | false = registration.ok ? false : `blas backend unavailable: ${registration.reason}`;
if (skip) console.log(`# skipping blas tests: ${skip}`);
/** `skip` option for the tests of the blas-wasm variant (WebAssembly SIMD sgemm). */
export const skipWasm: string | false = wasmRegistration.ok ? false : `blas-wasm backend unavailable: ${wasmRegistration.reason}`;
if (skipWasm) console.log(`# skipping blas-wasm tests: ${skipWasm}`);
/** The blas variants that work here: `blas` (OpenBLAS) and `blas-wasm` (the WebAssembly sgemm). */
export const variants: string[] = [...(registration.ok ? ['blas'] : []), ...(wasmRegistration.ok ? ['blas-wasm'] : [])];

/** Deterministic pseudo-random floats in [-1, 1) (xorshift). */
export function data(n: number, seed = 1): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

export interface Spec {
  shape: number[];
  seed: number;
  scale?: number;
}

/**
 * Runs `fn` on the given backend with fresh tensors built from the specs, returns every output as
 * plain arrays (shape + values) and checks no tensor leaked.
 */
export async function runOn(backend: string, specs: Spec[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]): Promise<{ shape: number[]; values: Float32Array }[]> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const xs = specs.map((s) => {
    const n = s.shape.reduce((p, q) => p * q, 1);
    const v = data(n, s.seed);
    if (s.scale !== undefined) for (let i = 0; i < n; i++) v[i]! *= s.scale;
    return tf.tensor(v, s.shape, 'float32');
  });
  const out = tf.tidy(() => fn(...xs));
  const list = Array.isArray(out) ? out : [out];
  const res = list.map((t) => ({ shape: t.shape.slice(), values: Float32Array.from(t.dataSync()) }));
  tf.dispose(list);
  tf.dispose(xs);
  assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
  return res;
}

/**
 * |blas - cpu| <= atol + rtol * |cpu| + ofLargest * (the output's largest |cpu|): the last term
 * for sums of many terms, where float32 rounding in another order shows most in entries that cancel.
 */
export interface Tolerance {
  atol?: number;
  rtol?: number;
  ofLargest?: number;
}

/** Compares each blas variant (or those given) against cpu: same shapes, values within atol + rtol * |cpu|. */
export async function compare(
  label: string,
  specs: Spec[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tol: Tolerance = {},
  backends: readonly string[] = variants,
): Promise<void> {
  const want = await runOn('cpu', specs, fn);
  for (const backend of backends) compareWith(`${label} on ${backend}`, want, await runOn(backend, specs, fn), tol);
}

export function compareWith(label: string, want: { shape: number[]; values: Float32Array }[], got: { shape: number[]; values: Float32Array }[], tol: Tolerance): void {
  const rtol = tol.rtol ?? 1e-5;
  assert.equal(got.length, want.length, `${label}: number of outputs`);
  for (let o = 0; o < want.length; o++) {
    assert.deepEqual(got[o]!.shape, want[o]!.shape, `${label}: output ${o} shape`);
    const w = want[o]!.values;
    const g = got[o]!.values;
    let largest = 0;
    if (tol.ofLargest) for (const v of w) if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
    const atol = (tol.atol ?? 1e-5) + (tol.ofLargest ?? 0) * largest;
    assert.equal(g.length, w.length);
    for (let i = 0; i < w.length; i++) {
      const a = w[i]!;
      const b = g[i]!;
      if (Number.isNaN(a) || !Number.isFinite(a)) {
        assert.ok(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), `${label}: output ${o}[${i}] cpu ${a} blas ${b}`);
        continue;
      }
      if (!(Math.abs(a - b) <= atol + rtol * Math.abs(a))) {
        assert.fail(`${label}: output ${o}[${i}] cpu ${a} blas ${b} (|diff| ${Math.abs(a - b)})`);
      }
    }
  }
}
