/**
 * Faster versions of the elementwise, slicing and reduction kernels that dominate the profile of
 * recurrent training on the cpu backend. The cpu backend's versions call a shared per-element
 * closure (megamorphic, about 20 ns an element), compute broadcast indices element by element,
 * copy column slices element by element through index arithmetic (SplitV of an LSTM's gates took
 * 13 ms), and transpose before every reduction. These kernels handle float32 only and call the
 * cpu kernel (the fallback) for anything else.
 *
 * - Each JavaScript inner loop is compiled once per operation (`new Function`) so V8 sees one
 *   operation per loop and keeps it monomorphic.
 * - Add / Sub of 4096+ elements (equal shapes or a row broadcast) use BLAS scopy/saxpy/sgemm:
 *   same float32 result, vectorised.
 * - Sum of 4096+ elements is a product with a ones vector (sgemm): float32 accumulation as in
 *   PyTorch, where the cpu kernel accumulates in double (last-bit differences).
 * - Sigmoid / Exp use a table-and-polynomial exp, Tanh Eigen's rational tanh (what TensorFlow
 *   uses): within 2 float32 ulps of the cpu kernels' Math.exp / Math.tanh, 2-3x faster.
 * - Where WebAssembly SIMD is available (./simd.ts), Add / Sub / Multiply / RealDiv (equal shapes,
 *   scalars, rows and columns), Sigmoid / Tanh / Exp (the same double-precision formulas, two
 *   lanes at a time), Neg / Square / Sqrt / Relu, column sums, and splits and
 *   concatenations along an inner axis run there from SIMD_MIN elements on: the same results bit
 *   for bit, 2-4x faster at a recurrent cell's sizes.
 * Everything else gives the cpu backend's results bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { f32, type CpuLikeBackend } from './matmul.js';
import type { Nblas } from './nblas.js';
import { blasPool, ones } from './pool.js';
import { simdFor, type BinaryForm, type BinaryOp, type UnaryOp } from './simd.js';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;
type Make = (fallback: KernelFunc, blas: Nblas) => KernelFunc;

/* ---------------- binary ops with broadcasting ---------------- */

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

export function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan {
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

/** Below this size two native calls cost more than the JavaScript loop. */
const BLAS_MIN = 4096;


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

function binary(expr: string, alphaB?: number, simdOp?: BinaryOp): Make {
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

/* ---------------- unary ops ---------------- */

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

function unary(expr: string, pre = '', simdOp?: UnaryOp): Make {
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

/* ---------------- slicing, splitting, concatenation ---------------- */

/** Copies the box [begin, begin + size) of x (shape xShape) into a new array. */
export function sliceCopy(xv: Float32Array, xShape: readonly number[], begin: readonly number[], size: readonly number[]): Float32Array {
  const r = xShape.length;
  const total = size.reduce((p, q) => p * q, 1);
  const out = blasPool.alloc(total);
  if (total === 0) return out;
  if (r === 0) {
    out[0] = xv[0]!;
    return out;
  }
  const strides = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= xShape[i]!;
  }
  // Innermost contiguous run: trailing dims that are taken whole.
  let inner = r - 1;
  let run = size[r - 1]!;
  while (inner > 0 && size[inner]! === xShape[inner]! && begin[inner] === 0) {
    inner--;
    run *= size[inner]!;
  }
  let base = 0;
  for (let i = 0; i < r; i++) base += begin[i]! * strides[i]!;
  if (inner === 0) {
    out.set(xv.subarray(base, base + run));
    return out;
  }
  if (inner === 1) {
    // rows of a matrix (the gates of a recurrent cell split along the last axis)
    const rows = size[0]!;
    const st = strides[0]!;
    for (let i = 0, src = base, dst = 0; i < rows; i++, src += st, dst += run) {
      if (run > 64) out.set(xv.subarray(src, src + run), dst);
      else for (let j = 0; j < run; j++) out[dst + j] = xv[src + j]!;
    }
    return out;
  }
  const idx = new Array<number>(inner).fill(0);
  let src = base;
  for (let dst = 0; dst < total; dst += run) {
    if (run > 64) out.set(xv.subarray(src, src + run), dst);
    else for (let j = 0; j < run; j++) out[dst + j] = xv[src + j]!;
    for (let d = inner - 1; d >= 0; d--) {
      idx[d]!++;
      src += strides[d]!;
      if (idx[d]! < size[d]!) break;
      src -= strides[d]! * size[d]!;
      idx[d] = 0;
    }
  }
  return out;
}

const slice: Make = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  tf.slice_util.assertParamsValid(x as unknown as tf.Tensor, b, s);
  const backend = args.backend as unknown as CpuLikeBackend;
  return backend.makeTensorInfo(s, 'float32', sliceCopy(f32(backend, x), x.shape, b, s));
};

const splitV: Make = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  const $axis = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const splitSizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, $axis);
  const backend = args.backend as unknown as CpuLikeBackend;
  const xv = f32(backend, x);
  let rows = 1;
  for (let i = 0; i < $axis; i++) rows *= x.shape[i]!;
  const s = simdFor(xv.length, 2);
  if (s !== undefined && rows > 1) {
    // [rows, stride] split into column blocks, in WebAssembly (one copy in, one out per block)
    const stride = xv.length / rows;
    const unit = stride / x.shape[$axis]!;
    const runs = splitSizes.map((k) => k * unit);
    const arrays = runs.map((r) => blasPool.alloc(rows * r));
    s.splitColumns(xv, rows, stride, runs, arrays);
    return arrays.map((v, k) => {
      const size = x.shape.slice();
      size[$axis] = splitSizes[k]!;
      return backend.makeTensorInfo(size, 'float32', v);
    });
  }
  const begin = new Array<number>(x.shape.length).fill(0);
  const outs: TensorInfo[] = [];
  for (const s of splitSizes) {
    const size = x.shape.slice();
    size[$axis] = s;
    outs.push(backend.makeTensorInfo(size, 'float32', sliceCopy(xv, x.shape, begin, size)));
    begin[$axis]! += s;
  }
  return outs;
};

const concat: Make = (fallback) => (args) => {
  const inputs = args.inputs as unknown as TensorInfo[];
  if (inputs.length === 0 || inputs.some((t) => t.dtype !== 'float32')) return fallback(args);
  const { axis } = args.attrs as unknown as { axis: number };
  const $axis = tf.util.parseAxisParam(axis, inputs[0]!.shape)[0]!;
  const shapes = inputs.map((t) => t.shape);
  tf.backend_util.assertParamsConsistent(shapes, $axis);
  const outShape = tf.backend_util.computeOutShape(shapes, $axis);
  const backend = args.backend as unknown as CpuLikeBackend;
  const total = outShape.reduce((p, q) => p * q, 1);
  const out = blasPool.alloc(total);
  if (total === 0) return backend.makeTensorInfo(outShape, 'float32', out);
  let outer = 1;
  for (let i = 0; i < $axis; i++) outer *= outShape[i]!;
  const rowOut = total / outer;
  const s = simdFor(total, 2);
  if (s !== undefined && outer > 1) {
    const values = inputs.map((t) => f32(backend, t));
    s.concatColumns(values, outer, values.map((v) => v.length / outer), out);
    return backend.makeTensorInfo(outShape, 'float32', out);
  }
  let colOffset = 0;
  for (const t of inputs) {
    const v = f32(backend, t);
    const row = v.length / outer;
    if (row === 0) continue;
    for (let i = 0; i < outer; i++) {
      const src = i * row;
      const dst = i * rowOut + colOffset;
      if (row > 64) out.set(v.subarray(src, src + row), dst);
      else for (let j = 0; j < row; j++) out[dst + j] = v[src + j]!;
    }
    colOffset += row;
  }
  return backend.makeTensorInfo(outShape, 'float32', out);
};

/* ---------------- Sum ---------------- */

const sum: Make = (fallback, blas) => (args) => {
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
export const fastKernels: Record<string, Make> = {
  Add: binary('A + B', 1, 'add'),
  Sub: binary('A - B', -1, 'sub'),
  Multiply: binary('A * B', undefined, 'mul'),
  RealDiv: binary('A / B', undefined, 'div'),
  Maximum: binary('Math.max(A, B)'),
  Minimum: binary('Math.min(A, B)'),
  SquaredDifference: binary('(A - B) * (A - B)'),
  Sigmoid: unary('1 / (1 + E)', EXP('-X', 104), 'sigmoid'),
  Tanh: unary('Y', TANH, 'tanh'),
  Exp: unary('E', EXP('X'), 'exp'),
  Log: unary('Math.log(X)'),
  Neg: unary('-X', '', 'neg'),
  Square: unary('X * X', '', 'square'),
  Sqrt: unary('Math.sqrt(X)', '', 'sqrt'),
  Relu: unary('Math.max(0, X)', '', 'relu'),
  Slice: slice,
  SplitV: splitV,
  Concat: concat,
  Sum: sum,
};

/* ---------------- Transpose, Pack, Unpack ---------------- */

/**
 * The same permutation on fewer dims: size-1 dims dropped, and input dims that stay next to each
 * other in the output merged (Lab 8's [N, T, 1] -> [T, N, 1] is a 2-d transpose, [T, N, H] ->
 * [N, T, H] moves rows of H).
 */
export function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const keep = shape.map((d) => d !== 1);
  const rank = new Array<number>(shape.length).fill(-1);
  let k = 0;
  for (let i = 0; i < shape.length; i++) if (keep[i]) rank[i] = k++;
  const p = perm.filter((d) => keep[d]).map((d) => rank[d]!);
  const dims = shape.filter((_, i) => keep[i]);
  // merge runs p[j], p[j] + 1, ... (consecutive in the input and in the output)
  const groups: number[][] = [];
  for (const d of p) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === d) last.push(d);
    else groups.push([d]);
  }
  // each group becomes one input dim, numbered by input order
  const order = groups.map((g) => g[0]!).sort((a, b) => a - b);
  const newShape = order.map((first) => groups.find((g) => g[0] === first)!.reduce((s, d) => s * dims[d]!, 1));
  const newPerm = groups.map((g) => order.indexOf(g[0]!));
  return { shape: newShape, perm: newPerm };
}

/** out = x permuted by perm (rank <= 4 after simplification; higher ranks fall back). */
export function transposeCopy(xv: Float32Array, shape0: readonly number[], perm0: readonly number[]): Float32Array | undefined {
  const { shape, perm } = simplifyPermutation(shape0, perm0);
  const r = shape.length;
  if (r > 4) return undefined;
  const xs = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    xs[i] = acc;
    acc *= shape[i]!;
  }
  const out = blasPool.alloc(acc);
  if (r <= 1) {
    out.set(xv.subarray(0, acc));
    return out;
  }
  if (r === 2) {
    // [rows, cols] -> [cols, rows], in tiles of 32 x 32 for the cache
    const [rows, cols] = shape as [number, number];
    for (let r0 = 0; r0 < rows; r0 += 32) {
      const r1 = Math.min(rows, r0 + 32);
      for (let c0 = 0; c0 < cols; c0 += 32) {
        const c1 = Math.min(cols, c0 + 32);
        for (let i = r0; i < r1; i++) {
          const src = i * cols;
          for (let j = c0; j < c1; j++) out[j * rows + i] = xv[src + j]!;
        }
      }
    }
    return out;
  }
  // Output dims (padded to 4 with leading size-1 dims) and the input stride of each.
  const od = [1, 1, 1, 1];
  const st = [0, 0, 0, 0];
  for (let i = 0; i < r; i++) {
    od[4 - r + i] = shape[perm[i]!]!;
    st[4 - r + i] = xs[perm[i]!]!;
  }
  const [d0, d1, d2, d3] = od as [number, number, number, number];
  const [s0, s1, s2, s3] = st as [number, number, number, number];
  let o = 0;
  for (let i0 = 0; i0 < d0; i0++) {
    for (let i1 = 0; i1 < d1; i1++) {
      for (let i2 = 0; i2 < d2; i2++) {
        let src = i0 * s0 + i1 * s1 + i2 * s2;
        if (s3 === 1) {
          if (d3 > 64) {
            out.set(xv.subarray(src, src + d3), o);
            o += d3;
          } else for (let i3 = 0; i3 < d3; i3++) out[o++] = xv[src++]!;
        } else {
          for (let i3 = 0; i3 < d3; i3++, src += s3) out[o++] = xv[src]!;
        }
      }
    }
  }
  return out;
}

const transpose: Make = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { perm } = args.attrs as unknown as { perm: number[] };
  const backend = args.backend as unknown as CpuLikeBackend;
  const out = transposeCopy(f32(backend, x), x.shape, perm);
  if (!out) return fallback(args);
  return backend.makeTensorInfo(perm.map((p) => x.shape[p]!), 'float32', out);
};

const pack: Make = (fallback) => (args) => {
  const inputs = args.inputs as unknown as TensorInfo[];
  if (inputs.length === 0 || inputs.some((t) => t.dtype !== 'float32')) return fallback(args);
  const shape = inputs[0]!.shape;
  if (inputs.some((t) => !tf.util.arraysEqual(t.shape, shape))) return fallback(args);
  const { axis } = args.attrs as unknown as { axis: number };
  const rank = shape.length + 1;
  const $axis = axis < 0 ? axis + rank : axis;
  const outShape = shape.slice();
  outShape.splice($axis, 0, inputs.length);
  const backend = args.backend as unknown as CpuLikeBackend;
  let outer = 1;
  for (let i = 0; i < $axis; i++) outer *= shape[i]!;
  const block = tf.util.sizeFromShape(shape) / Math.max(outer, 1);
  const n = inputs.length;
  const out = blasPool.alloc(outer * n * block);
  inputs.forEach((t, k) => {
    const v = f32(backend, t);
    for (let i = 0; i < outer; i++) out.set(v.subarray(i * block, i * block + block), (i * n + k) * block);
  });
  return backend.makeTensorInfo(outShape, 'float32', out);
};

const unpack: Make = (fallback) => (args) => {
  const { value } = args.inputs as { value: TensorInfo };
  if (value.dtype !== 'float32') return fallback(args);
  const { axis } = args.attrs as unknown as { axis: number };
  const $axis = axis < 0 ? axis + value.shape.length : axis;
  const n = value.shape[$axis]!;
  const outShape = value.shape.filter((_, i) => i !== $axis);
  const backend = args.backend as unknown as CpuLikeBackend;
  const v = f32(backend, value);
  let outer = 1;
  for (let i = 0; i < $axis; i++) outer *= value.shape[i]!;
  let block = 1;
  for (let i = $axis + 1; i < value.shape.length; i++) block *= value.shape[i]!;
  const outs: TensorInfo[] = [];
  for (let k = 0; k < n; k++) {
    const o = blasPool.alloc(outer * block);
    if (outer === 1) o.set(v.subarray(k * block, k * block + block));
    else for (let i = 0; i < outer; i++) o.set(v.subarray((i * n + k) * block, (i * n + k) * block + block), i * block);
    outs.push(backend.makeTensorInfo(outShape.slice(), 'float32', o));
  }
  return outs;
};

/**
 * PadV2 (the gradient of every slice): x copied into a box of a constant-filled output, a
 * contiguous run at a time (the cpu kernel computes coordinates element by element).
 */
export function padCopy(xv: Float32Array, xShape: readonly number[], paddings: readonly (readonly [number, number])[], value: number): { shape: number[]; values: Float32Array } {
  const r = xShape.length;
  const outShape = xShape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
  const total = outShape.reduce((p, q) => p * q, 1);
  const out = blasPool.alloc(total);
  out.fill(value);
  const xSize = xv.length;
  if (xSize === 0 || total === 0) return { shape: outShape, values: out };
  if (r === 0) {
    out[0] = xv[0]!;
    return { shape: outShape, values: out };
  }
  const os = new Array<number>(r);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    os[i] = acc;
    acc *= outShape[i]!;
  }
  // x's innermost run: its last dim, extended over trailing dims that are not padded
  let inner = r - 1;
  let run = xShape[r - 1]!;
  while (inner > 0 && paddings[inner]![0] === 0 && paddings[inner]![1] === 0) {
    inner--;
    run *= xShape[inner]!;
  }
  let base = 0;
  for (let i = 0; i < r; i++) base += paddings[i]![0] * os[i]!;
  const idx = new Array<number>(inner).fill(0);
  let dst = base;
  for (let src = 0; src < xSize; src += run) {
    if (run > 64) out.set(xv.subarray(src, src + run), dst);
    else for (let j = 0; j < run; j++) out[dst + j] = xv[src + j]!;
    for (let d = inner - 1; d >= 0; d--) {
      idx[d]!++;
      dst += os[d]!;
      if (idx[d]! < xShape[d]!) break;
      dst -= os[d]! * xShape[d]!;
      idx[d] = 0;
    }
  }
  return { shape: outShape, values: out };
}

const padV2: Make = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
  const backend = args.backend as unknown as CpuLikeBackend;
  const { shape, values } = padCopy(f32(backend, x), x.shape, paddings, constantValue);
  return backend.makeTensorInfo(shape, 'float32', values);
};

/** Tile: x repeated reps[i] times along each dim, a row at a time (tf.layers tiles its initial states). */
export function tileCopy(xv: Float32Array, xShape: readonly number[], reps: readonly number[]): { shape: number[]; values: Float32Array } {
  const r = xShape.length;
  const outShape = xShape.map((d, i) => d * reps[i]!);
  const total = outShape.reduce((p, q) => p * q, 1);
  const out = blasPool.alloc(total);
  if (total === 0) return { shape: outShape, values: out };
  if (r === 0) {
    out[0] = xv[0]!;
    return { shape: outShape, values: out };
  }
  const L = xShape[r - 1]!;
  const RL = outShape[r - 1]!;
  // x's strides over its outer dims
  const xs = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = r - 1; i >= 0; i--) {
    xs[i] = acc;
    acc *= xShape[i]!;
  }
  const rows = total / RL;
  const idx = new Array<number>(Math.max(r - 1, 0)).fill(0);
  for (let row = 0, dst = 0; row < rows; row++, dst += RL) {
    let src = 0;
    for (let k = 0; k < r - 1; k++) src += (idx[k]! % xShape[k]!) * xs[k]!;
    if (L > 64) out.set(xv.subarray(src, src + L), dst);
    else for (let j = 0; j < L; j++) out[dst + j] = xv[src + j]!;
    for (let filled = L; filled < RL; filled *= 2) out.copyWithin(dst + filled, dst, dst + Math.min(filled, RL - filled));
    for (let k = r - 2; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return { shape: outShape, values: out };
}

const tile: Make = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { reps } = args.attrs as unknown as { reps: number[] };
  if (reps.length !== x.shape.length) return fallback(args);
  const backend = args.backend as unknown as CpuLikeBackend;
  const { shape, values } = tileCopy(f32(backend, x), x.shape, reps);
  return backend.makeTensorInfo(shape, 'float32', values);
};

Object.assign(fastKernels, { Transpose: transpose, Pack: pack, Unpack: unpack, PadV2: padV2, Tile: tile });
