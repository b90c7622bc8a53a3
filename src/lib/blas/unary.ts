/**
 * Sigmoid, Tanh, Exp, Log, Neg, Square, Sqrt, Relu on float32 (other dtypes go to the cpu kernel),
 * each a loop compiled once (`new Function`) instead of the cpu backend's shared per-element
 * closure (megamorphic, about 20 ns an element).
 * - Sigmoid / Exp use a table-and-polynomial exp, Tanh Eigen's rational tanh (what TensorFlow
 *   uses): within 2 float32 ulps of the cpu kernels' Math.exp / Math.tanh, 2-3x faster.
 * - Where WebAssembly SIMD is available (./simd.ts), Sigmoid / Tanh / Exp (the same
 *   double-precision formulas, two lanes at a time) and Neg / Square / Sqrt / Relu run there from
 *   SIMD_MIN elements on: the same results bit for bit.
 */
import type * as tf from '@tensorflow/tfjs';
import type { KernelFactory } from './kernel-factory.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import { blasPool } from './pool.js';
import { simdFor, type UnaryOp } from './simd.js';

type TensorInfo = tf.TensorInfo;

type UnaryLoop = (o: Float32Array, x: Float32Array, n: number, alpha: number, P2: Float64Array) => void;

/**
 * exp(V) for V in double precision, written as a statement that sets `E`, for float32 results:
 * V is clamped to [-104, hi] (hi = 89 for exp, whose float32 result is Infinity beyond it, 104 inside
 * sigmoid, whose result rounds to 0 beyond it; NaN passes),
 * then V = k ln2 + r with |r| <= ln2/2, exp(r) by its degree-7 Taylor polynomial (relative error
 * below 6e-9, a tenth of a float32 ulp) and 2^k from a table. About twice as fast as Math.exp.
 */
const EXP = (v: string, hi = 89) => `
  let V = ${v};
  if (V > ${hi}) V = ${hi}; else if (V < -104) V = -104;
  const K = (V * 1.4426950408889634 + 6755399441055744) - 6755399441055744;
  const R = V - K * 0.6931471805599453;
  const E = (1 + R * (1 + R * (0.5 + R * (0.16666666666666666 + R * (0.041666666666666664 + R * (0.008333333333333333 + R * (0.001388888888888889 + R * 0.0001984126984126984))))))) * P2[(K + 200) | 0];`;

/**
 * tanh as in Eigen's float tanh (the one TensorFlow uses): a 13/6 rational function on
 * [-7.9988, 7.9988], x itself below 4e-4; within 2 float32 ulps of Math.tanh, 3x faster.
 */
const TANH = `
  let T = X;
  if (T > 7.99881172180175781) T = 7.99881172180175781; else if (T < -7.99881172180175781) T = -7.99881172180175781;
  const T2 = T * T;
  let P = T2 * -2.76076847742355e-16 + 2.00018790482477e-13;
  P = T2 * P + -8.60467152213735e-11; P = T2 * P + 5.12229709037114e-08; P = T2 * P + 1.48572235717979e-05;
  P = T2 * P + 6.37261928875436e-04; P = T2 * P + 4.89352455891786e-03;
  const Q = ((T2 * 1.19825839466702e-06 + 1.18534705686654e-04) * T2 + 2.26843463243900e-03) * T2 + 4.89352518554385e-03;
  const Y = (X < 0.0004 && X > -0.0004) ? X : T * P / Q;`;

/** 2^(i - 200) for i < 420. */
const P2TABLE = Float64Array.from({ length: 420 }, (_, i) => Math.pow(2, i - 200));

function unary(expr: string, pre = '', simdOp?: UnaryOp): KernelFactory {
  const loop = new Function('o', 'x', 'n', 'alpha', 'P2', `for (let i = 0; i < n; i++) { const X = x[i]; ${pre} o[i] = ${expr}; }`) as UnaryLoop;
  return (fallback) => (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype !== 'float32') return fallback(args);
    const backend = args.backend as unknown as CpuLikeBackend;
    const xv = f32(backend, x);
    const n = xv.length;
    const out = blasPool.alloc(n);
    const s = simdOp === undefined ? undefined : simdFor(n, 2);
    if (s !== undefined) s.unary(simdOp!, xv, out);
    else loop(out, xv, n, ((args.attrs ?? {}) as { alpha?: number }).alpha ?? 0, P2TABLE);
    return backend.makeTensorInfo(x.shape.slice(), 'float32', out);
  };
}

/** Kernel name -> factory taking the cpu kernel as fallback. */
export const unaryKernels: Record<string, KernelFactory> = {
  Sigmoid: unary('1 / (1 + E)', EXP('-X', 104), 'sigmoid'),
  Tanh: unary('Y', TANH, 'tanh'),
  Exp: unary('E', EXP('X'), 'exp'),
  Log: unary('Math.log(X)'),
  Neg: unary('-X', '', 'neg'),
  Square: unary('X * X', '', 'square'),
  Sqrt: unary('Math.sqrt(X)', '', 'sqrt'),
  Relu: unary('Math.max(0, X)', '', 'relu'),
};
