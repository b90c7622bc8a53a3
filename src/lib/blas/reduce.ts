/**
 * Sum over any set of axes that leaves the input as [kept, reduced, kept] (the cpu backend
 * transposes before every reduction), float32 only.
 * - Sum of BLAS_MIN+ elements is a product with a ones vector (sgemm): float32 accumulation as in
 *   PyTorch, where the cpu kernel accumulates in double (last-bit differences).
 * - Smaller sums accumulate in double like the cpu kernel; column sums run in WebAssembly SIMD
 *   where available (./simd.ts), with the same result.
 */
import * as tf from '@tensorflow/tfjs';
import { BLAS_MIN, type KernelFactory } from './kernel-factory.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import { blasPool, ones } from './pool.js';
import { simdFor } from './simd.js';

type TensorInfo = tf.TensorInfo;

const sum: KernelFactory = (fallback, blas) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const r = x.shape.length;
  const reduced = new Array<boolean>(r).fill(false);
  for (const a of axes) reduced[a] = true;
  // Shape as [K1, R, K2]: kept dims, then reduced dims, then kept dims (dims of size 1 ignored).
  let k1 = 1;
  let red = 1;
  let k2 = 1;
  let phase = 0; // 0: before any reduced dim, 1: in reduced dims, 2: after
  for (let i = 0; i < r; i++) {
    const d = x.shape[i]!;
    if (d === 1) continue;
    if (reduced[i]) {
      if (phase === 2) return fallback(args);
      phase = 1;
      red *= d;
    } else if (phase === 0) k1 *= d;
    else {
      phase = 2;
      k2 *= d;
    }
  }
  const outShape = keepDims ? x.shape.map((d, i) => (reduced[i] ? 1 : d)) : x.shape.filter((_, i) => !reduced[i]);
  const backend = args.backend as unknown as CpuLikeBackend;
  const xv = f32(backend, x);
  const out = blasPool.alloc(k1 * k2);
  if (xv.length >= BLAS_MIN && red > 1 && blas.onesProducts !== false) {
    // Sums as products with a ones vector (float32 accumulation, like PyTorch; the cpu kernel
    // accumulates in double, so results differ in the last bits).
    const o = ones(red);
    if (k2 === 1) {
      blas.sgemm(blas.NoTrans, blas.NoTrans, k1, 1, red, 1, xv, red, o, 1, 0, out, 1);
    } else if (k1 === 1) {
      blas.sgemm(blas.NoTrans, blas.NoTrans, 1, k2, red, 1, o, red, xv, k2, 0, out, k2);
    } else {
      const step = red * k2;
      for (let i = 0; i < k1; i++) {
        blas.sgemm(blas.NoTrans, blas.NoTrans, 1, k2, red, 1, o, red, xv.subarray(i * step, i * step + step), k2, 0, out.subarray(i * k2, i * k2 + k2), k2);
      }
    }
    return backend.makeTensorInfo(outShape, 'float32', out);
  }
  if (k2 === 1) {
    for (let i = 0; i < k1; i++) {
      let s = 0;
      const off = i * red;
      for (let j = 0; j < red; j++) s += xv[off + j]!;
      out[i] = s;
    }
  } else {
    sumMiddle(xv, out, k1, red, k2);
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
};

/**
 * out[i, k] = sum over j of x[i, j, k] for x of shape [k1, red, k2], accumulated in double in
 * order of j (the cpu kernel's sums); in WebAssembly SIMD where available, with the same result.
 * Also the fused GRU's bias gradient (./rnn.ts).
 */
export function sumMiddle(xv: Float32Array, out: Float32Array, k1: number, red: number, k2: number): void {
  const s = red > 1 && k2 > 1 ? simdFor(xv.length, 2) : undefined;
  if (s !== undefined) {
    s.sumMiddle(xv, out, k1, red, k2);
    return;
  }
  const acc = new Float64Array(k2);
  for (let i = 0; i < k1; i++) {
    acc.fill(0);
    const base = i * red * k2;
    for (let j = 0; j < red; j++) {
      const off = base + j * k2;
      for (let k = 0; k < k2; k++) acc[k]! += xv[off + k]!;
    }
    for (let k = 0; k < k2; k++) out[i * k2 + k] = acc[k]!;
  }
}


/** Kernel name -> factory taking the cpu kernel as fallback. */
export const reduceKernels: Record<string, KernelFactory> = { Sum: sum };
