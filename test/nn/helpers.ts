/** Shared helpers of the nn tests: fixtures, the backends to run on, tolerance checks. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/nn/${name}`, import.meta.url), 'utf8')) as T;
}

/**
 * The backends the layer tests run on: cpu and wasm always, blas (OpenBLAS kernels on the cpu
 * backend) when the optional nblas binding loads, blas-wasm (the same kernels over the
 * WebAssembly sgemm) where WebAssembly SIMD runs it.
 */
export async function testBackends(): Promise<string[]> {
  const out = ['cpu', 'wasm'];
  try {
    const { registerBlasBackend, registerBlasWasmBackend } = await import('../../src/lib/blas/index.js');
    const r = await registerBlasBackend();
    if (r.ok) out.push('blas');
    else console.log(`# blas backend not tested: ${r.reason}`);
    const w = await registerBlasWasmBackend();
    if (w.ok) out.push('blas-wasm');
    else console.log(`# blas-wasm backend not tested: ${w.reason}`);
  } catch (e) {
    console.log(`# blas backend not tested: ${e instanceof Error ? e.message : String(e)}`);
  }
  return out;
}

/** The weights of the fixture losses: w(i) = ((37 i) % 11 - 5) / 7 over a flattened tensor. */
export function lossWeights(n: number): Float32Array {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) w[i] = (((37 * i) % 11) - 5) / 7;
  return w;
}

/** Asserts |got - want| <= atol + rtol * |want| everywhere, reporting the worst entry. */
export function assertClose(got: tf.Tensor | ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, what: string): void {
  const g = got instanceof tf.Tensor ? got.dataSync() : got;
  assert.equal(g.length, want.length, `${what}: ${g.length} values, expected ${want.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < g.length; i++) {
    const excess = Math.abs(Number(g[i]) - want[i]!) - (atol + rtol * Math.abs(want[i]!));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) assert.fail(`${what}: entry ${worst} is ${g[worst]}, expected ${want[worst]} (atol ${atol}, rtol ${rtol})`);
}
