/**
 * Kernels that move float32 data without arithmetic: Slice, SplitV, Concat, Transpose, Pack,
 * Unpack, PadV2 (the gradient of every slice), Tile. The cpu backend computes coordinates element
 * by element (SplitV of an LSTM's gates took 13 ms); these copy contiguous runs, and where
 * WebAssembly SIMD is available (./simd.ts) splits and concatenations along an inner axis run
 * there from SIMD_MIN elements on. Results equal the cpu kernels' bit for bit; other dtypes and
 * unhandled patterns go to the cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFactory } from './kernel-factory.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import { blasPool } from './pool.js';
import { simdFor } from './simd.js';

type TensorInfo = tf.TensorInfo;

/** Copies the box [begin, begin + size) of x (shape xShape) into a new array. */
function sliceCopy(xv: Float32Array, xShape: readonly number[], begin: readonly number[], size: readonly number[]): Float32Array {
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

const slice: KernelFactory = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { begin, size } = args.attrs as unknown as { begin: number | number[]; size: number | number[] };
  const [b, s] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size);
  tf.slice_util.assertParamsValid(x as unknown as tf.Tensor, b, s);
  const backend = args.backend as unknown as CpuLikeBackend;
  return backend.makeTensorInfo(s, 'float32', sliceCopy(f32(backend, x), x.shape, b, s));
};

const splitV: KernelFactory = (fallback) => (args) => {
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

const concat: KernelFactory = (fallback) => (args) => {
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


/**
 * The same permutation on fewer dims: size-1 dims dropped, and input dims that stay next to each
 * other in the output merged (Lab 8's [N, T, 1] -> [T, N, 1] is a 2-d transpose, [T, N, H] ->
 * [N, T, H] moves rows of H).
 */
function simplifyPermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
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
function transposeCopy(xv: Float32Array, shape0: readonly number[], perm0: readonly number[]): Float32Array | undefined {
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

const transpose: KernelFactory = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { perm } = args.attrs as unknown as { perm: number[] };
  const backend = args.backend as unknown as CpuLikeBackend;
  const out = transposeCopy(f32(backend, x), x.shape, perm);
  if (!out) return fallback(args);
  return backend.makeTensorInfo(perm.map((p) => x.shape[p]!), 'float32', out);
};

const pack: KernelFactory = (fallback) => (args) => {
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

const unpack: KernelFactory = (fallback) => (args) => {
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
function padCopy(xv: Float32Array, xShape: readonly number[], paddings: readonly (readonly [number, number])[], value: number): { shape: number[]; values: Float32Array } {
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

const padV2: KernelFactory = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { paddings, constantValue } = args.attrs as unknown as { paddings: [number, number][]; constantValue: number };
  const backend = args.backend as unknown as CpuLikeBackend;
  const { shape, values } = padCopy(f32(backend, x), x.shape, paddings, constantValue);
  return backend.makeTensorInfo(shape, 'float32', values);
};

/** Tile: x repeated reps[i] times along each dim, a row at a time (tf.layers tiles its initial states). */
function tileCopy(xv: Float32Array, xShape: readonly number[], reps: readonly number[]): { shape: number[]; values: Float32Array } {
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

const tile: KernelFactory = (fallback) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype !== 'float32') return fallback(args);
  const { reps } = args.attrs as unknown as { reps: number[] };
  if (reps.length !== x.shape.length) return fallback(args);
  const backend = args.backend as unknown as CpuLikeBackend;
  const { shape, values } = tileCopy(f32(backend, x), x.shape, reps);
  return backend.makeTensorInfo(shape, 'float32', values);
};


/** Kernel name -> factory taking the cpu kernel as fallback. */
export const layoutKernels: Record<string, KernelFactory> = {
  Slice: slice,
  SplitV: splitV,
  Concat: concat,
  Transpose: transpose,
  Pack: pack,
  Unpack: unpack,
  PadV2: padV2,
  Tile: tile,
};
