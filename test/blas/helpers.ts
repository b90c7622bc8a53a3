/** Shared helpers for the blas backend tests: run the same computation on 'cpu' and 'blas'. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { registerBlasBackend } from '../../src/lib/blas/index.js';

export const registration = await registerBlasBackend();
/** `skip` option for node:test: the reason when nblas is absent, else false. */
export const skip: string | false = registration.ok ? false : `blas backend unavailable: ${registration.reason}`;
if (skip) console.log(`# skipping blas tests: ${skip}`);

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

/** Compares blas against cpu: same shapes, values within atol + rtol * |cpu|. */
export async function compare(
  label: string,
  specs: Spec[],
  fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  tol: { atol?: number; rtol?: number } = {},
): Promise<void> {
  const atol = tol.atol ?? 1e-5;
  const rtol = tol.rtol ?? 1e-5;
  const want = await runOn('cpu', specs, fn);
  const got = await runOn('blas', specs, fn);
  assert.equal(got.length, want.length, `${label}: number of outputs`);
  for (let o = 0; o < want.length; o++) {
    assert.deepEqual(got[o]!.shape, want[o]!.shape, `${label}: output ${o} shape`);
    const w = want[o]!.values;
    const g = got[o]!.values;
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
