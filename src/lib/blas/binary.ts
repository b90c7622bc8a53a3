/**
 * Add, Sub, Multiply, RealDiv, Maximum, Minimum, SquaredDifference with broadcasting. The cpu
 * backend computes broadcast indices element by element through a shared per-element closure;
 * here each operation's inner loop is compiled once (`new Function`, so V8 keeps it monomorphic)
 * over a broadcast plan whose dims are collapsed as far as the operands allow.
 * - Add / Sub of BLAS_MIN+ elements (equal shapes or a row broadcast) use BLAS scopy/saxpy/sgemm:
 *   same float32 result, vectorised.
 * - Where WebAssembly SIMD is available (./simd.ts), Add / Sub / Multiply / RealDiv (equal shapes,
 *   scalars, rows and columns) run there from SIMD_MIN elements on, the same results bit for bit.
 * float32 only; other dtypes go to the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { BLAS_MIN, type KernelFactory } from './kernel-factory.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import type { Nblas } from './nblas.js';
import { blasPool, ones } from './pool.js';
import { simdFor, type BinaryForm, type BinaryOp } from './simd.js';

type TensorInfo = tf.TensorInfo;

/** o[oi + j] = op(a[ai + j * as], b[bi + j * bs]) for j < n. */
type Inner = (o: Float32Array, oi: number, a: Float32Array, ai: number, as: number, b: Float32Array, bi: number, bs: number, n: number) => void;

function compileInner(expr: string): Inner {
  const body = `
    if (as === 1 && bs === 1) { for (let j = 0; j < n; j++) { const A = a[ai + j], B = b[bi + j]; o[oi + j] = ${expr}; } return; }
    if (as === 1 && bs === 0) { const B = b[bi]; for (let j = 0; j < n; j++) { const A = a[ai + j]; o[oi + j] = ${expr}; } return; }
    if (as === 0 && bs === 1) { const A = a[ai]; for (let j = 0; j < n; j++) { const B = b[bi + j]; o[oi + j] = ${expr}; } return; }
    for (let j = 0; j < n; j++) { const A = a[ai + j * as], B = b[bi + j * bs]; o[oi + j] = ${expr}; }`;
  return new Function('o', 'oi', 'a', 'ai', 'as', 'b', 'bi', 'bs', 'n', body) as Inner;
}

interface BroadcastPlan {
  outShape: number[];
  /** collapsed output dims, and the operands' strides over them (0 where broadcast) */
  dims: number[];
  sa: number[];
  sb: number[];
}

function stridesFor(shape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length;
  const s = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    const k = i - (r - shape.length);
    const d = k >= 0 ? shape[k]! : 1;
    s[i] = d === 1 ? 0 : acc;
    acc *= d;
  }
  return s;
}

function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
  const outShape = tf.backend_util.assertAndGetBroadcastShape(aShape as number[], bShape as number[]);
  const fa = stridesFor(aShape, outShape);
  const fb = stridesFor(bShape, outShape);
  const dims: number[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  // Walk from the innermost dim outwards, merging a dim into the previous group when both
  // operands stay contiguous (or both stay broadcast) across it.
  for (let i = outShape.length - 1; i >= 0; i--) {
    const d = outShape[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && fa[i] === sa[last]! * dims[last]! && fb[i] === sb[last]! * dims[last]!) {
      dims[last] = dims[last]! * d;
    } else {
      dims.push(d);
      sa.push(fa[i]!);
      sb.push(fb[i]!);
    }
  }
  dims.reverse();
  sa.reverse();
  sb.reverse();
  return { outShape, dims, sa, sb };
}

function runBinary(inner: Inner, av: Float32Array, bv: Float32Array, p: BroadcastPlan): Float32Array {
  const size = p.dims.reduce((x, y) => x * y, 1);
  const out = blasPool.alloc(size);
  const r = p.dims.length;
  if (r === 0) {
    inner(out, 0, av, 0, 0, bv, 0, 0, 1);
    return out;
  }
  const n = p.dims[r - 1]!;
  const as = p.sa[r - 1]!;
  const bs = p.sb[r - 1]!;
  if (r === 1) {
    inner(out, 0, av, 0, as, bv, 0, bs, n);
    return out;
  }
  if (r === 2) {
    const m = p.dims[0]!;
    const sa0 = p.sa[0]!;
    const sb0 = p.sb[0]!;
    for (let i = 0; i < m; i++) inner(out, i * n, av, i * sa0, as, bv, i * sb0, bs, n);
    return out;
  }
  const idx = new Array<number>(r - 1).fill(0);
  let ai = 0;
  let bi = 0;
  for (let oi = 0; oi < size; oi += n) {
    inner(out, oi, av, ai, as, bv, bi, bs, n);
    for (let d = r - 2; d >= 0; d--) {
      idx[d]!++;
      ai += p.sa[d]!;
      bi += p.sb[d]!;
      if (idx[d]! < p.dims[d]!) break;
      ai -= p.sa[d]! * p.dims[d]!;
      bi -= p.sb[d]! * p.dims[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * a + alphaB * b by BLAS (alphaB = 1 for Add, -1 for Sub), for equal shapes (scopy, saxpy) and for a
 * row broadcast [M, N] against [N] either way (a rank-1 sgemm with a ones vector spreads the row,
 * then saxpy). Each element is rounded once, as in the JavaScript loop. Returns false when the
 * pattern is not one of these.
 */
function addByBlas(blas: Nblas, alphaB: number, av: Float32Array, bv: Float32Array, p: BroadcastPlan | undefined, out: Float32Array): boolean {
  const size = out.length;
  if (!p) {
    blas.scopy(size, av, 1, out, 1);
    blas.saxpy(size, alphaB, bv, 1, out, 1);
    return true;
  }
  if (p.dims.length !== 2) return false;
  const [m, n] = p.dims as [number, number];
  const [sa0, sa1] = p.sa as [number, number];
  const [sb0, sb1] = p.sb as [number, number];
  if (sa0 === n && sa1 === 1 && sb0 === 0 && sb1 === 1) {
    // out = alphaB * ones(m) x b(1 x n), then out += a
    blas.sgemm(blas.NoTrans, blas.NoTrans, m, n, 1, alphaB, ones(m), 1, bv, n, 0, out, n);
    blas.saxpy(size, 1, av, 1, out, 1);
    return true;
  }
  if (sb0 === n && sb1 === 1 && sa0 === 0 && sa1 === 1) {
    blas.sgemm(blas.NoTrans, blas.NoTrans, m, n, 1, 1, ones(m), 1, av, n, 0, out, n);
    blas.saxpy(size, alphaB, bv, 1, out, 1);
    return true;
  }
  return false;
}

/**
 * The SIMD form for a broadcast plan of at most two collapsed dims, or undefined (then the
 * JavaScript loops run): [m, n] rows where each operand is either a row (inner stride 1) or one
 * value per row (inner stride 0).
 */
function simdForm(p: BroadcastPlan): { form: BinaryForm; m: number; n: number; sa: number; sb: number } | undefined {
  const r = p.dims.length;
  if (r === 0 || r > 2) return undefined;
  const n = p.dims[r - 1]!;
  const m = r === 2 ? p.dims[0]! : 1;
  const ia = p.sa[r - 1]!;
  const ib = p.sb[r - 1]!;
  const sa = r === 2 ? p.sa[0]! : 0;
  const sb = r === 2 ? p.sb[0]! : 0;
  if (ia === 1 && ib === 1) return { form: 'rr', m, n, sa, sb };
  if (ia === 1 && ib === 0) return { form: 'rs', m, n, sa, sb };
  if (ia === 0 && ib === 1) return { form: 'sr', m, n, sa, sb };
  return undefined;
}

function binary(expr: string, alphaB?: number, simdOp?: BinaryOp): KernelFactory {
  const inner = compileInner(expr);
  return (fallback, blas) => (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args);
    const backend = args.backend as unknown as CpuLikeBackend;
    const av = f32(backend, a);
    const bv = f32(backend, b);
    /** The SIMD kernels for an output of n elements (three regions: a, b, out), if this op has one. */
    const simd = (n: number) => (simdOp === undefined ? undefined : simdFor(n, 3));
    // Fast paths: equal shapes, or a single-element operand of no higher rank.
    if (sameShape(a.shape, b.shape)) {
      const n = av.length;
      const out = blasPool.alloc(n);
      const s = simd(n);
      if (s !== undefined) s.binary(simdOp!, 'rr', av, bv, out, 1, n, 0, 0);
      else if (alphaB === undefined || n < BLAS_MIN || !addByBlas(blas, alphaB, av, bv, undefined, out)) {
        inner(out, 0, av, 0, 1, bv, 0, 1, n);
      }
      return backend.makeTensorInfo(a.shape.slice(), 'float32', out);
    }
    if (bv.length === 1 && b.shape.length <= a.shape.length) {
      const n = av.length;
      const out = blasPool.alloc(n);
      const s = simd(n);
      if (s !== undefined) s.binary(simdOp!, 'rs', av, bv, out, 1, n, 0, 0);
      else inner(out, 0, av, 0, 1, bv, 0, 0, n);
      return backend.makeTensorInfo(a.shape.slice(), 'float32', out);
    }
    if (av.length === 1 && a.shape.length <= b.shape.length) {
      const n = bv.length;
      const out = blasPool.alloc(n);
      const s = simd(n);
      if (s !== undefined) s.binary(simdOp!, 'sr', av, bv, out, 1, n, 0, 0);
      else inner(out, 0, av, 0, 0, bv, 0, 1, n);
      return backend.makeTensorInfo(b.shape.slice(), 'float32', out);
    }
    const p = broadcastPlan(a.shape, b.shape);
    const size = p.dims.reduce((x, y) => x * y, 1);
    const s = simd(size);
    if (s !== undefined) {
      const f = simdForm(p);
      if (f !== undefined) {
        const out = blasPool.alloc(size);
        s.binary(simdOp!, f.form, av, bv, out, f.m, f.n, f.sa, f.sb);
        return backend.makeTensorInfo(p.outShape, 'float32', out);
      }
    }
    if (alphaB !== undefined && p.dims.length === 2 && size >= BLAS_MIN) {
      const out = blasPool.alloc(size);
      if (addByBlas(blas, alphaB, av, bv, p, out)) return backend.makeTensorInfo(p.outShape, 'float32', out);
    }
    const out = runBinary(inner, av, bv, p);
    return backend.makeTensorInfo(p.outShape, 'float32', out);
  };
}

/** Kernel name -> factory taking the cpu kernel as fallback. */
export const binaryKernels: Record<string, KernelFactory> = {
  Add: binary('A + B', 1, 'add'),
  Sub: binary('A - B', -1, 'sub'),
  Multiply: binary('A * B', undefined, 'mul'),
  RealDiv: binary('A / B', undefined, 'div'),
  Maximum: binary('Math.max(A, B)'),
  Minimum: binary('Math.min(A, B)'),
  SquaredDifference: binary('(A - B) * (A - B)'),
};
