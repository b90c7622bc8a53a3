/**
 * BatchMatMul and _FusedMatMul for a MathBackendCPU-based backend, computed by OpenBLAS sgemm.
 * Transposed operands are passed to sgemm with its transA/transB flags (nothing is
 * materialised); a batch of A against a single B is folded into one sgemm call.
 */
import * as tf from '@tensorflow/tfjs';
import type { Nblas } from './nblas.js';
import { blasPool, ones } from './pool.js';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;

/** The subset of MathBackendCPU the kernels use. */
export interface CpuLikeBackend {
  data: { get(dataId: unknown): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
  disposeIntermediateTensorInfo(t: TensorInfo): void;
}

export function f32(backend: CpuLikeBackend, t: TensorInfo): Float32Array {
  const v = backend.data.get(t.dataId).values;
  if (v instanceof Float32Array) return v;
  return Float32Array.from(v as ArrayLike<number>);
}

function size(shape: readonly number[], from = 0, to = shape.length): number {
  let s = 1;
  for (let i = from; i < to; i++) s *= shape[i]!;
  return s;
}

interface MatMulPlan {
  m: number;
  n: number;
  k: number;
  batchA: number;
  batchB: number;
  batch: number;
  outShape: number[];
}

function plan(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): MatMulPlan {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const kA = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kB = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  const outer = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  tf.util.assert(
    kA === kB,
    () =>
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const batchA = size(a.shape, 0, ra - 2);
  const batchB = size(b.shape, 0, rb - 2);
  return { m, n, k: kA, batchA, batchB, batch: Math.max(batchA, batchB), outShape: [...outer, m, n] };
}

/**
 * out[batch, m, n] = op(A) x op(B), batch indices taken modulo each operand's batch size
 * (tfjs's cpu semantics, which covers broadcasting a batch of 1).
 */
export function gemmInto(
  blas: Nblas, av: Float32Array, bv: Float32Array, out: Float32Array, p: MatMulPlan,
  transposeA: boolean, transposeB: boolean,
): void {
  const { m, n, k, batchA, batchB, batch } = p;
  const tA = transposeA ? blas.Trans : blas.NoTrans;
  const tB = transposeB ? blas.Trans : blas.NoTrans;
  const lda = transposeA ? m : k;
  const ldb = transposeB ? k : n;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    out.fill(0);
    return;
  }
  if (batchB === 1 && !transposeA) {
    // [batchA * m, k] x [k, n]: one call.
    blas.sgemm(tA, tB, batch * m, n, k, 1, av, lda, bv, ldb, 0, out, n);
    return;
  }
  if (batch === 1) {
    blas.sgemm(tA, tB, m, n, k, 1, av, lda, bv, ldb, 0, out, n);
    return;
  }
  const sa = m * k;
  const sb = k * n;
  const so = m * n;
  for (let i = 0; i < batch; i++) {
    const ia = i % batchA;
    const ib = i % batchB;
    blas.sgemm(
      tA, tB, m, n, k, 1,
      av.subarray(ia * sa, ia * sa + sa), lda,
      bv.subarray(ib * sb, ib * sb + sb), ldb,
      0, out.subarray(i * so, i * so + so), n,
    );
  }
}

export function makeBatchMatMul(blas: Nblas, fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const backend = args.backend as unknown as CpuLikeBackend;
    const p = plan(a, b, transposeA, transposeB);
    const out = blasPool.alloc(p.batch * p.m * p.n);
    gemmInto(blas, f32(backend, a), f32(backend, b), out, p, transposeA, transposeB);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
}

/** Whether `bias` broadcasts along the last axis only (shape [..1, n] or [n]) against [.., n]. */
function isRowBias(bias: TensorInfo, n: number): boolean {
  const s = bias.shape;
  if (s.length === 0) return false;
  if (s[s.length - 1] !== n) return false;
  for (let i = 0; i < s.length - 1; i++) if (s[i] !== 1) return false;
  return true;
}

type Activation = 'linear' | 'relu' | 'relu6' | 'elu' | 'leakyrelu' | 'sigmoid' | 'prelu';

function applyInPlace(v: Float32Array, activation: Activation, alpha: number): boolean {
  const len = v.length;
  switch (activation) {
    case 'linear':
      return true;
    case 'relu':
      for (let i = 0; i < len; i++) if (v[i]! < 0) v[i] = 0;
      return true;
    case 'relu6':
      for (let i = 0; i < len; i++) {
        const x = v[i]!;
        v[i] = x < 0 ? 0 : x > 6 ? 6 : x;
      }
      return true;
    case 'elu':
      for (let i = 0; i < len; i++) {
        const x = v[i]!;
        if (x < 0) v[i] = Math.exp(x) - 1;
      }
      return true;
    case 'leakyrelu':
      for (let i = 0; i < len; i++) {
        const x = v[i]!;
        if (x < 0) v[i] = alpha * x;
      }
      return true;
    case 'sigmoid':
      for (let i = 0; i < len; i++) v[i] = 1 / (1 + Math.exp(-v[i]!));
      return true;
    default:
      return false;
  }
}

export function makeFusedMatMul(
  blas: Nblas,
  fallbacks: { add: KernelFunc; prelu: KernelFunc; fused: KernelFunc },
): KernelFunc {
  return (args) => {
    const inputs = args.inputs as { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
    const { a, b, bias, preluActivationWeights } = inputs;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: Activation; leakyreluAlpha?: number };
    const { transposeA, transposeB } = attrs;
    const activation: Activation = attrs.activation ?? 'linear';
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallbacks.fused(args);
    const backend = args.backend as unknown as CpuLikeBackend;
    const p = plan(a, b, transposeA, transposeB);
    const out = blasPool.alloc(p.batch * p.m * p.n);
    gemmInto(blas, f32(backend, a), f32(backend, b), out, p, transposeA, transposeB);
    let current = backend.makeTensorInfo(p.outShape, 'float32', out);
    let values: Float32Array | undefined = out;
    if (bias) {
      if (bias.dtype === 'float32' && isRowBias(bias, p.n) && bias.shape.length <= p.outShape.length) {
        const bv = f32(backend, bias);
        const n = p.n;
        const rows = out.length / n;
        // out += ones(rows) x bias (a rank-1 update in BLAS; each element rounded once, as out[i] += b[j])
        if (rows > 0) blas.sgemm(blas.NoTrans, blas.NoTrans, rows, n, 1, 1, ones(rows), 1, bv, n, 1, out, n);
      } else {
        const added = fallbacks.add({ inputs: { a: current, b: bias }, backend: args.backend, attrs: {} }) as TensorInfo;
        backend.disposeIntermediateTensorInfo(current);
        current = added;
        values = undefined;
      }
    }
    if (activation !== 'linear') {
      if (activation === 'prelu' || values === undefined || !applyInPlace(values, activation, attrs.leakyreluAlpha ?? 0.2)) {
        if (activation === 'prelu') {
          const r = fallbacks.prelu({ inputs: { x: current, alpha: preluActivationWeights! }, backend: args.backend, attrs: {} }) as TensorInfo;
          backend.disposeIntermediateTensorInfo(current);
          current = r;
        } else {
          // values live in a tensor made by a fallback kernel: copy, then apply.
          const copy = Float32Array.from(f32(backend, current));
          if (!applyInPlace(copy, activation, attrs.leakyreluAlpha ?? 0.2)) {
            throw new Error(`Activation ${activation} has not been implemented for the blas backend.`);
          }
          const shape = current.shape;
          backend.disposeIntermediateTensorInfo(current);
          current = backend.makeTensorInfo(shape, 'float32', copy);
        }
      }
    }
    return current;
  };
}
