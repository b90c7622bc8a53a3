/**
 * WebAssembly SIMD versions of the blas backend's hottest JavaScript loops (elementwise
 * arithmetic, sigmoid / tanh / exp and their gradients, column sums, column splits and
 * concatenations, the fused LSTM layer's steps).
 *
 * Why: at the sizes of a recurrent cell ([100, 10] to [100, 40] tensors) V8 runs a Float32Array
 * loop at about 2-3 ns an element (measured: a 1000-element multiply 2.7 us), while WebAssembly
 * SIMD does four float32 lanes per instruction: the same multiply takes 0.6 us here including
 * copying the operands in and the result out (PyTorch's kernels are vectorised the same way).
 * Below SIMD_MIN elements the copies cost more than they save.
 *
 * The kernels (scripts/simd/kernels.mjs, compiled into ./simd-wasm.ts) compute exactly what the
 * JavaScript loops compute, bit for bit (test/blas/simd.test.ts compares them), so the backend
 * gives the same numbers with or without them. They work on the module's own memory: the
 * wrappers here copy the operands in (`TypedArray.set`, a memcpy) and the results out, so no view
 * of that memory ever leaves this file and growing it is safe.
 *
 * Where WebAssembly SIMD is missing, the module fails to compile or fails its self-test,
 * `simd()` is undefined and the callers keep their JavaScript loops; `RNNKIT_BLAS_SIMD=0` turns
 * it off too (for comparisons), as does `setSimd(false)`.
 */
import { setting } from '../settings.js';
import { SIMD_WASM_BASE64 } from './simd-wasm.js';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type UnaryOp = 'exp' | 'sigmoid' | 'tanh' | 'neg' | 'square' | 'sqrt' | 'relu';
export type GradOp = 'sigmoid' | 'tanh';
/**
 * Broadcast forms over m rows of n: `rr` both operands are rows (equal shapes with m = 1, or a
 * row broadcast with a row stride of 0), `rs` b is one scalar per row (a scalar with m = 1, or a
 * column [m, 1]), `sr` likewise for a.
 */
export type BinaryForm = 'rr' | 'rs' | 'sr';

type Ptr = number;
type BinaryKernels = {
  [K in `${BinaryOp}_${BinaryForm}`]: (a: Ptr, b: Ptr, o: Ptr, m: number, n: number, sa: number, sb: number) => void;
};
interface Exports extends BinaryKernels {
  memory: WebAssembly.Memory;
  exp(x: Ptr, o: Ptr, n: number): void;
  sigmoid(x: Ptr, o: Ptr, n: number): void;
  tanh(x: Ptr, o: Ptr, n: number): void;
  neg(x: Ptr, o: Ptr, n: number): void;
  square(x: Ptr, o: Ptr, n: number): void;
  sqrt(x: Ptr, o: Ptr, n: number): void;
  relu(x: Ptr, o: Ptr, n: number): void;
  sigmoid_grad(dy: Ptr, y: Ptr, o: Ptr, n: number): void;
  tanh_grad(dy: Ptr, y: Ptr, o: Ptr, n: number): void;
  sum_mid(x: Ptr, o: Ptr, k1: number, red: number, k2: number): void;
  copy_rows(src: Ptr, dst: Ptr, rows: number, run: number, srcStride: number, dstStride: number): void;
  lstm_fwd(g: Ptr, cp: Ptr, cs: Ptr, tcs: Ptr, out: Ptr, N: number, H: number): void;
  lstm_bwd(g: Ptr, tcs: Ptr, dout: Ptr, dhn: Ptr, dc: Ptr, cp: Ptr, dp: Ptr, N: number, H: number): void;
}

export interface Simd {
  /**
   * out[i * n + j] = a op b for i < m, j < n, where a is a[i * sa + j] (form r.) or a[i * sa]
   * (form s.), b likewise with sb. out has m * n elements.
   */
  binary(op: BinaryOp, form: BinaryForm, a: Float32Array, b: Float32Array, out: Float32Array, m: number, n: number, sa: number, sb: number): void;
  /** out[i] = op(x[i]); out.length === x.length. */
  unary(op: UnaryOp, x: Float32Array, out: Float32Array): void;
  /** out = the op's gradient from dy and the op's output y (all of one length). */
  grad(op: GradOp, dy: Float32Array, y: Float32Array, out: Float32Array): void;
  /** out[i, k] = sum over j of x[i, j, k] for x of shape [k1, red, k2], accumulated in double. */
  sumMiddle(x: Float32Array, out: Float32Array, k1: number, red: number, k2: number): void;
  /**
   * Splits the rows of x ([rows, stride]) into column blocks: outs[k] gets `runs[k]` columns per
   * row, starting where the previous block ended.
   */
  splitColumns(x: Float32Array, rows: number, stride: number, runs: readonly number[], outs: readonly Float32Array[]): void;
  /** The inverse: out ([rows, sum of runs]) from inputs[k] ([rows, runs[k]]) side by side. */
  concatColumns(inputs: readonly Float32Array[], rows: number, runs: readonly number[], out: Float32Array): void;
  /**
   * One step of the fused LSTM layer forward, as ./rnn.ts's lstmForwardStep with the same
   * arguments (H even): gates[gOff ..] activated in place, cs / tcs / out[off ..] written.
   */
  lstmForward(gates: Float32Array, gOff: number, cPrev: Float32Array, cBase: number, cs: Float32Array, tcs: Float32Array, out: Float32Array, off: number, N: number, H: number): void;
  /** One step backward, as ./rnn.ts's lstmBackwardStep with the same arguments (H even). */
  lstmBackward(gates: Float32Array, tcs: Float32Array, dOut: Float32Array, dhNext: Float32Array, dc: Float32Array, cPrev: Float32Array, cBase: number, dproj: Float32Array, gOff: number, off: number, N: number, H: number): void;
}

/** The most floats one call places in the module's memory (256 MB); larger work stays in JavaScript. */
export const SIMD_MAX_FLOATS = 64 * 1024 * 1024;

/** Below this many elements the JavaScript loops beat copying into WebAssembly and back. */
export const SIMD_MIN = 128;

/** Floats a region takes: whole vectors plus one vector of padding (the kernels read and write it). */
const span = (n: number) => ((n + 3) & ~3) + 4;

function instantiate(): Simd | undefined {
  if (setting('RNNKIT_BLAS_SIMD') === false) return undefined;
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') return undefined;
  let ex: Exports;
  try {
    const bytes = Buffer.from(SIMD_WASM_BASE64, 'base64');
    if (!WebAssembly.validate(bytes)) return undefined;
    ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    return undefined;
  }
  const memory = ex.memory;
  let mem = new Float32Array(memory.buffer);
  /** Makes the memory hold at least `floats` floats (the view is renewed after a grow). */
  const reserve = (floats: number) => {
    if (floats > SIMD_MAX_FLOATS) throw new RangeError(`SIMD kernels take at most ${SIMD_MAX_FLOATS} floats per call`);
    const bytes = floats * 4;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    if (mem.buffer !== memory.buffer) mem = new Float32Array(memory.buffer);
  };
  /** Float offsets of consecutive regions of these sizes (each padded, see span), memory reserved. */
  const layout = (...sizes: number[]): number[] => {
    let top = 0;
    const at = sizes.map((n) => {
      const here = top;
      top += span(n);
      return here;
    });
    reserve(top);
    return at;
  };
  /** out[to ..] = n floats of the memory from float offset `from`. */
  const copyOut = (from: number, out: Float32Array, n: number, to = 0) => out.set(mem.subarray(from, from + n), to);
  /** n floats of x from `from` into the memory at float offset `at`. */
  const copyIn = (x: Float32Array, at: number, from = 0, n = x.length - from) => mem.set(from === 0 && n === x.length ? x : x.subarray(from, from + n), at);

  const s: Simd = {
    binary(op, form, a, b, out, m, n, sa, sb) {
      const [pa, pb, po] = layout(a.length, b.length, m * n) as [number, number, number];
      copyIn(a, pa);
      copyIn(b, pb);
      ex[`${op}_${form}`](pa * 4, pb * 4, po * 4, m, n, sa, sb);
      copyOut(po, out, m * n);
    },
    unary(op, x, out) {
      const [px, po] = layout(x.length, x.length) as [number, number];
      copyIn(x, px);
      ex[op](px * 4, po * 4, x.length);
      copyOut(po, out, x.length);
    },
    grad(op, dy, y, out) {
      const n = dy.length;
      const [pd, py, po] = layout(n, n, n) as [number, number, number];
      copyIn(dy, pd);
      copyIn(y, py);
      ex[`${op}_grad`](pd * 4, py * 4, po * 4, n);
      copyOut(po, out, n);
    },
    sumMiddle(x, out, k1, red, k2) {
      // one float more for the output: the kernel writes columns in pairs
      const [px, po] = layout(x.length, k1 * k2 + 1) as [number, number];
      copyIn(x, px);
      ex.sum_mid(px * 4, po * 4, k1, red, k2);
      copyOut(po, out, k1 * k2);
    },
    splitColumns(x, rows, stride, runs, outs) {
      const [px, ...po] = layout(x.length, ...runs.map((r) => rows * r)) as number[];
      copyIn(x, px!);
      let col = 0;
      runs.forEach((run, k) => {
        ex.copy_rows((px! + col) * 4, po[k]! * 4, rows, run, stride, run);
        copyOut(po[k]!, outs[k]!, rows * run);
        col += run;
      });
    },
    concatColumns(inputs, rows, runs, out) {
      const width = runs.reduce((p, q) => p + q, 0);
      const [po, ...pi] = layout(rows * width, ...inputs.map((t) => t.length)) as number[];
      let col = 0;
      inputs.forEach((t, k) => {
        copyIn(t, pi[k]!);
        ex.copy_rows(pi[k]! * 4, (po! + col) * 4, rows, runs[k]!, runs[k]!, width);
        col += runs[k]!;
      });
      copyOut(po!, out, rows * width);
    },
    lstmForward(gates, gOff, cPrev, cBase, cs, tcs, out, off, N, H) {
      const NG = 4 * N * H;
      const NH = N * H;
      const [pg, pc, pcs, ptc, ph] = layout(NG, NH, NH, NH, NH) as [number, number, number, number, number];
      copyIn(gates, pg, gOff, NG);
      copyIn(cPrev, pc, cBase, NH);
      ex.lstm_fwd(pg * 4, pc * 4, pcs * 4, ptc * 4, ph * 4, N, H);
      copyOut(pg, gates, NG, gOff);
      copyOut(pcs, cs, NH, off);
      copyOut(ptc, tcs, NH, off);
      copyOut(ph, out, NH, off);
    },
    lstmBackward(gates, tcs, dOut, dhNext, dc, cPrev, cBase, dproj, gOff, off, N, H) {
      const NG = 4 * N * H;
      const NH = N * H;
      const [pg, pt, pd, pn, pc, pp, pdp] = layout(NG, NH, NH, NH, NH, NH, NG) as number[] as [number, number, number, number, number, number, number];
      copyIn(gates, pg, gOff, NG);
      copyIn(tcs, pt, off, NH);
      copyIn(dOut, pd, off, NH);
      copyIn(dhNext, pn, 0, NH);
      copyIn(dc, pc, 0, NH);
      copyIn(cPrev, pp, cBase, NH);
      ex.lstm_bwd(pg * 4, pt * 4, pd * 4, pn * 4, pc * 4, pp * 4, pdp * 4, N, H);
      copyOut(pdp, dproj, NG, gOff);
      copyOut(pc, dc, NH);
    },
  };
  return selfTest(s) ? s : undefined;
}

/** A few known results (a module that loads but computes wrongly is not used). */
function selfTest(s: Simd): boolean {
  try {
    const a = Float32Array.from([1, 2, 3, 4, 5]);
    const b = Float32Array.from([0.5, -1, 2, 8, -5]);
    const o = new Float32Array(5);
    s.binary('mul', 'rr', a, b, o, 1, 5, 0, 0);
    if (o.join() !== '0.5,-2,6,32,-25') return false;
    s.binary('sub', 'rs', a, b, o, 1, 5, 0, 0);
    if (o.join() !== '0.5,1.5,2.5,3.5,4.5') return false;
    s.unary('relu', b, o);
    if (o.join() !== '0.5,0,2,8,0') return false;
    s.grad('sigmoid', a, b, o);
    return o.join() === '0.25,-4,-6,-224,-150';
  } catch {
    return false;
  }
}

const loaded = instantiate();
let active = loaded;

/** The SIMD kernels, or undefined where they cannot run or are turned off (callers then use JavaScript). */
export function simd(): Simd | undefined {
  return active;
}

/**
 * The SIMD kernels for a call on n elements that places `regions` arrays of up to n floats in the
 * module's memory, or undefined: when SIMD is off, below SIMD_MIN elements (the copies would cost
 * more than they save) or beyond SIMD_MAX_FLOATS.
 */
export function simdFor(n: number, regions: number): Simd | undefined {
  return n >= SIMD_MIN && n * regions <= SIMD_MAX_FLOATS ? active : undefined;
}

/** Whether the module compiled and passed its self-test (RNNKIT_BLAS_SIMD=0 makes this false). */
export const simdAvailable = loaded !== undefined;

/** Turns the SIMD kernels off (false) or back on (tests and measurements compare both). */
export function setSimd(on: boolean): void {
  active = on ? loaded : undefined;
}
