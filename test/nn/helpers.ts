/** Shared helpers of the nn tests: the backends to run on, tolerance checks. */
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

/** A backend the layer tests run on, and why they are skipped on it here (false: they run). */
export interface TestBackend { name: string; skip: string | false }

/**
 * The backends the layer tests run on: cpu and wasm always, blas (OpenBLAS kernels on the cpu
 * backend) when the optional nblas binding loads, blas-wasm (the same kernels over the
 * WebAssembly sgemm) where WebAssembly SIMD runs it; the tests of a backend that does not load
 * here are skipped with the reason.
 */
export async function testBackends(): Promise<TestBackend[]> {
  const out: TestBackend[] = [{ name: 'cpu', skip: false }, { name: 'wasm', skip: false }];
  try {
    const { registerBlasBackend, registerBlasWasmBackend } = await import('../../src/lib/blas/index.js');
    const r = await registerBlasBackend();
    out.push({ name: 'blas', skip: r.ok ? false : `blas backend unavailable: ${r.reason}` });
    const w = await registerBlasWasmBackend();
    out.push({ name: 'blas-wasm', skip: w.ok ? false : `blas-wasm backend unavailable: ${w.reason}` });
  } catch (e) {
    const why = `the blas backends do not load: ${e instanceof Error ? e.message : String(e)}`;
    for (const name of ['blas', 'blas-wasm']) if (!out.some((b) => b.name === name)) out.push({ name, skip: why });
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
