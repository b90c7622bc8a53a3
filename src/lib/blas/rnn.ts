/**
 * The blas backends' whole-sequence recurrent kernels (the op, the equations and the kernels'
 * contract: ../ops/recurrent.ts): `RnnSequence`, `LstmSequence` and `GruSequence` run one layer in
 * one direction over all time steps, `RecurrentSequenceGrad` is the backward pass of each. Per step
 * the forward kernel makes one sgemm for W_hh h and one pass over the gates; the backward pass one
 * sgemm per step for the gradient of h and one sgemm over all steps for dW_hh. Elementwise
 * arithmetic is in double precision, every stored value float32.
 */
import type * as tf from '@tensorflow/tfjs';
import { RECURRENT_GATES, RNN_SEQ, type RecurrentMode } from '../ops/recurrent.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import { sigmoid, tanh } from './math.js';
import type { Nblas } from './nblas.js';
import { blasPool } from './pool.js';
import { simdFor } from './simd.js';
import { sumMiddle } from './reduce.js';


type TI = tf.TensorInfo;

interface Dims {
  T: number;
  N: number;
  H: number;
  G: number;
}

function dims(mode: RecurrentMode, proj: TI, wHh: TI, h0: TI): Dims {
  if (!(mode in RECURRENT_GATES)) throw new Error(`${RNN_SEQ}: unknown mode ${String(mode)}`);
  const [T, N, G] = proj.shape as [number, number, number];
  const H = h0.shape[1]!;
  const ok = proj.shape.length === 3 && wHh.shape.length === 2 && h0.shape.length === 2 && G === RECURRENT_GATES[mode] * H && wHh.shape[0] === G && wHh.shape[1] === H && h0.shape[0] === N;
  if (!ok) throw new Error(`${RNN_SEQ}: shapes do not fit (${mode}: proj [${proj.shape}], wHh [${wHh.shape}], h0 [${h0.shape}])`);
  return { T, N, H, G };
}

function check(name: string, t: TI | undefined, shape: number[]): void {
  if (!t) throw new Error(`${RNN_SEQ}: missing input ${name}`);
  if (t.dtype !== 'float32') throw new Error(`${RNN_SEQ}: ${name} must be float32`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new Error(`${RNN_SEQ}: ${name} has shape [${t.shape}], expected [${shape}]`);
}

export function makeRnnKernels(blas: Nblas): { forward: tf.KernelFunc; backward: tf.KernelFunc } {
  const NT = blas.NoTrans;
  const TR = blas.Trans;

  const forward: tf.KernelFunc = (args) => {
    const inp = args.inputs as Record<string, TI | undefined>;
    const { mode, reverse } = args.attrs as unknown as { mode: RecurrentMode; reverse: boolean };
    const backend = args.backend as unknown as CpuLikeBackend;
    const { T, N, H, G } = dims(mode, inp.proj!, inp.wHh!, inp.h0!);
    for (const n of ['proj', 'wHh', 'h0'] as const) check(n, inp[n], inp[n]!.shape);
    if (mode === 'LSTM') check('c0', inp.c0, [N, H]);
    if (mode === 'GRU') check('bHh', inp.bHh, [G]);
    const proj = f32(backend, inp.proj!);
    const w = f32(backend, inp.wHh!);
    const h0 = f32(backend, inp.h0!);
    const NH = N * H;
    const NG = N * G;
    const out = blasPool.alloc(T * NH);
    const hN = blasPool.alloc(NH);
    const make = (shape: number[], v: Float32Array) => backend.makeTensorInfo(shape, 'float32', v);
    const order = (s: number) => (reverse ? T - 1 - s : s);

    if (mode === 'RNN_TANH' || mode === 'RNN_RELU') {
      const relu = mode === 'RNN_RELU';
      const a = blasPool.alloc(NH);
      let prevOff = 0;
      for (let s = 0; s < T; s++) {
        const t = order(s);
        const off = t * NH;
        a.set(proj.subarray(off, off + NH));
        blas.sgemm(NT, TR, N, H, H, 1, s === 0 ? h0 : out.subarray(prevOff, prevOff + NH), H, w, H, 1, a, H);
        if (relu) reluStep(a, out, off, NH);
        else tanhStep(a, out, off, NH);
        prevOff = off;
      }
      hN.set(out.subarray(prevOff, prevOff + NH));
      blasPool.release(a);
      return [make([T, N, H], out), make([N, H], hN)];
    }

    if (mode === 'LSTM') {
      const c0 = f32(backend, inp.c0!);
      const gates = blasPool.alloc(T * NG);
      const cs = blasPool.alloc(T * NH);
      const tcs = blasPool.alloc(T * NH);
      const cN = blasPool.alloc(NH);
      let prevOff = -1;
      for (let s = 0; s < T; s++) {
        const t = order(s);
        const off = t * NH;
        const gOff = t * NG;
        const a = gates.subarray(gOff, gOff + NG);
        a.set(proj.subarray(gOff, gOff + NG));
        blas.sgemm(NT, TR, N, G, H, 1, prevOff < 0 ? h0 : out.subarray(prevOff, prevOff + NH), H, w, H, 1, a, G);
        lstmForwardStep(gates, gOff, prevOff < 0 ? c0 : cs, prevOff < 0 ? 0 : prevOff, cs, tcs, out, off, N, H);
        prevOff = off;
      }
      hN.set(out.subarray(prevOff, prevOff + NH));
      cN.set(cs.subarray(prevOff, prevOff + NH));
      return [make([T, N, H], out), make([N, H], hN), make([N, H], cN), make([T, N, G], gates), make([T, N, H], cs), make([T, N, H], tcs)];
    }

    // GRU
    const bHh = f32(backend, inp.bHh!);
    const gates = blasPool.alloc(T * NG);
    const hhn = blasPool.alloc(T * NH);
    const hh = blasPool.alloc(NG);
    let prevOff = -1;
    for (let s = 0; s < T; s++) {
      const t = order(s);
      const off = t * NH;
      const gOff = t * NG;
      const hPrev = prevOff < 0 ? h0 : out;
      const hBase = prevOff < 0 ? 0 : prevOff;
      for (let n = 0; n < N; n++) hh.set(bHh, n * G);
      blas.sgemm(NT, TR, N, G, H, 1, prevOff < 0 ? h0 : out.subarray(prevOff, prevOff + NH), H, w, H, 1, hh, G);
      gruForwardStep(proj, hh, gates, gOff, hhn, hPrev, hBase, out, off, N, H);
      prevOff = off;
    }
    hN.set(out.subarray(prevOff, prevOff + NH));
    blasPool.release(hh);
    return [make([T, N, H], out), make([N, H], hN), make([T, N, G], gates), make([T, N, H], hhn)];
  };

  const backward: tf.KernelFunc = (args) => {
    const inp = args.inputs as Record<string, TI | undefined>;
    const { mode, reverse } = args.attrs as unknown as { mode: RecurrentMode; reverse: boolean };
    const backend = args.backend as unknown as CpuLikeBackend;
    const outT = inp.out!;
    const [T, N, H] = outT.shape as [number, number, number];
    const G = RECURRENT_GATES[mode] * H;
    check('wHh', inp.wHh, [G, H]);
    check('h0', inp.h0, [N, H]);
    // dOut, dhN and dcN may be absent: the outputs were not part of the backward pass (zeros)
    if (inp.dOut) check('dOut', inp.dOut, [T, N, H]);
    if (inp.dhN) check('dhN', inp.dhN, [N, H]);
    const w = f32(backend, inp.wHh!);
    const h0 = f32(backend, inp.h0!);
    const out = f32(backend, outT);
    const dOut = inp.dOut ? f32(backend, inp.dOut) : blasPool.zeros(T * N * H);
    const NH = N * H;
    const NG = N * G;
    const dproj = blasPool.alloc(T * NG);
    let dhNext = blasPool.alloc(NH);
    let dhTmp = blasPool.alloc(NH);
    if (inp.dhN) dhNext.set(f32(backend, inp.dhN));
    else dhNext.fill(0);
    // h before each step, in time order (h0 for the first processed step): for dW_hh in one product
    const hPrevAll = blasPool.alloc(T * NH);
    const order = (s: number) => (reverse ? T - 1 - s : s);
    for (let s = 0; s < T; s++) {
      const t = order(s);
      if (s === 0) hPrevAll.set(h0, t * NH);
      else {
        const tp = order(s - 1);
        hPrevAll.set(out.subarray(tp * NH, tp * NH + NH), t * NH);
      }
    }
    const make = (shape: number[], v: Float32Array) => backend.makeTensorInfo(shape, 'float32', v);
    const results: TI[] = [];

    if (mode === 'RNN_TANH' || mode === 'RNN_RELU') {
      const relu = mode === 'RNN_RELU';
      for (let s = T - 1; s >= 0; s--) {
        const t = order(s);
        const off = t * NH;
        rnnBackwardStep(relu, dOut, dhNext, out, dproj, off, NH);
        blas.sgemm(NT, NT, N, H, G, 1, dproj.subarray(off, off + NH), G, w, H, 0, dhNext, H);
      }
    } else if (mode === 'LSTM') {
      check('c0', inp.c0, [N, H]);
      if (inp.dcN) check('dcN', inp.dcN, [N, H]);
      const c0 = f32(backend, inp.c0!);
      const gates = f32(backend, inp.gates!);
      const cs = f32(backend, inp.cs!);
      const tcs = f32(backend, inp.tcs!);
      const dc = blasPool.alloc(NH);
      if (inp.dcN) dc.set(f32(backend, inp.dcN));
      else dc.fill(0);
      for (let s = T - 1; s >= 0; s--) {
        const t = order(s);
        const off = t * NH;
        const gOff = t * NG;
        lstmBackwardStep(gates, tcs, dOut, dhNext, dc, s === 0 ? c0 : cs, s === 0 ? 0 : order(s - 1) * NH, dproj, gOff, off, N, H);
        blas.sgemm(NT, NT, N, H, G, 1, dproj.subarray(gOff, gOff + NG), G, w, H, 0, dhNext, H);
      }
      results.push(make([N, H], dc));
    } else {
      // GRU
      const gates = f32(backend, inp.gates!);
      const hhn = f32(backend, inp.hhn!);
      const dhh = blasPool.alloc(T * NG);
      for (let s = T - 1; s >= 0; s--) {
        const t = order(s);
        const off = t * NH;
        const gOff = t * NG;
        gruBackwardStep(gates, hhn, hPrevAll, dOut, dhNext, dproj, dhh, dhTmp, gOff, off, N, H);
        blas.sgemm(NT, NT, N, H, G, 1, dhh.subarray(gOff, gOff + NG), G, w, H, 1, dhTmp, H);
        const swap = dhNext;
        dhNext = dhTmp;
        dhTmp = swap;
      }
      // dW_hh and db_hh from dhh (the gradient of W_hh h + b_hh)
      const dW = blasPool.alloc(G * H);
      blas.sgemm(TR, NT, G, H, T * N, 1, dhh, G, hPrevAll, H, 0, dW, H);
      const gru: TI[] = [make([T, N, G], dproj), make([G, H], dW), make([N, H], dhNext), make([G], columnSums(dhh, T * N, G))];
      blasPool.release(dhh);
      blasPool.release(dhTmp);
      blasPool.release(hPrevAll);
      if (!inp.dOut) blasPool.release(dOut);
      return gru;
    }
    const dW = blasPool.alloc(G * H);
    blas.sgemm(TR, NT, G, H, T * N, 1, dproj, G, hPrevAll, H, 0, dW, H);
    blasPool.release(dhTmp);
    blasPool.release(hPrevAll);
    if (!inp.dOut) blasPool.release(dOut);
    return [make([T, N, G], dproj), make([G, H], dW), make([N, H], dhNext), ...results];
  };

  return { forward, backward };
}

/*
 * The elementwise work of one step, one small function each, so that V8 inlines sigmoid / tanh
 * into the loops (in the kernels' large bodies it did not: the LSTM step ran at half speed).
 * The LSTM's steps and the RNN's tanh run in WebAssembly SIMD where available (./simd.ts), with
 * the same results bit for bit.
 * Offsets: gOff into [T, N, G] arrays, off into [T, N, H] ones; G = gates * H.
 */

function tanhStep(a: Float32Array, out: Float32Array, off: number, n: number): void {
  // ./math.ts's tanh is the elementwise kernels' formula, which the SIMD module computes bit for bit
  const s = simdFor(n, 2);
  if (s !== undefined) s.unary('tanh', a.subarray(0, n), out.subarray(off, off + n));
  else for (let k = 0; k < n; k++) out[off + k] = tanh(a[k]!);
}

function reluStep(a: Float32Array, out: Float32Array, off: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const v = a[k]!;
    out[off + k] = v < 0 ? 0 : v; // NaN passes, as in relu
  }
}

/** gates[gOff..] holds the pre-activations [i|f|g|o] per row; replaced by the activations. */
function lstmForwardStep(
  gates: Float32Array, gOff: number, cPrev: Float32Array, cBase: number,
  cs: Float32Array, tcs: Float32Array, out: Float32Array, off: number, N: number, H: number,
): void {
  const s = H % 2 === 0 ? simdFor(N * H, 8) : undefined;
  if (s !== undefined) {
    s.lstmForward(gates, gOff, cPrev, cBase, cs, tcs, out, off, N, H);
    return;
  }
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const row = gOff + n * G;
    const hRow = off + n * H;
    const pRow = cBase + n * H;
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[row + j]!);
      const f = sigmoid(gates[row + H + j]!);
      const g = tanh(gates[row + 2 * H + j]!);
      const o = sigmoid(gates[row + 3 * H + j]!);
      gates[row + j] = i;
      gates[row + H + j] = f;
      gates[row + 2 * H + j] = g;
      gates[row + 3 * H + j] = o;
      cs[hRow + j] = f * cPrev[pRow + j]! + i * g;
      const tc = tanh(cs[hRow + j]!);
      tcs[hRow + j] = tc;
      out[hRow + j] = o * tc;
    }
  }
}

/** hh: W_hh h + b_hh for this step [N, 3H]; proj's step at gOff. */
function gruForwardStep(
  proj: Float32Array, hh: Float32Array, gates: Float32Array, gOff: number, hhn: Float32Array,
  hPrev: Float32Array, hBase: number, out: Float32Array, off: number, N: number, H: number,
): void {
  const G = 3 * H;
  for (let n = 0; n < N; n++) {
    const row = n * G;
    const gRow = gOff + row;
    const hRow = off + n * H;
    const pRow = hBase + n * H;
    for (let j = 0; j < H; j++) {
      const r = sigmoid(proj[gRow + j]! + hh[row + j]!);
      const z = sigmoid(proj[gRow + H + j]! + hh[row + H + j]!);
      const hn = hh[row + 2 * H + j]!;
      gates[gRow + j] = r;
      gates[gRow + H + j] = z;
      gates[gRow + 2 * H + j] = tanh(proj[gRow + 2 * H + j]! + r * hn);
      hhn[hRow + j] = hn;
      const ng = gates[gRow + 2 * H + j]!;
      const zg = gates[gRow + H + j]!;
      out[hRow + j] = (hPrev[pRow + j]! - ng) * zg + ng;
    }
  }
}

function rnnBackwardStep(relu: boolean, dOut: Float32Array, dhNext: Float32Array, out: Float32Array, dproj: Float32Array, off: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const dh = dOut[off + k]! + dhNext[k]!;
    const h = out[off + k]!;
    dproj[off + k] = relu ? (h > 0 ? dh : 0) : dh * (1 - h * h);
  }
}

/** dc holds dL/dc after this step on entry and dL/dc before it on return. */
function lstmBackwardStep(
  gates: Float32Array, tcs: Float32Array, dOut: Float32Array, dhNext: Float32Array, dc: Float32Array,
  cPrev: Float32Array, cBase: number, dproj: Float32Array, gOff: number, off: number, N: number, H: number,
): void {
  const s = H % 2 === 0 ? simdFor(N * H, 14) : undefined;
  if (s !== undefined) {
    s.lstmBackward(gates, tcs, dOut, dhNext, dc, cPrev, cBase, dproj, gOff, off, N, H);
    return;
  }
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const row = gOff + n * G;
    const hRow = off + n * H;
    for (let j = 0; j < H; j++) {
      const k = n * H + j;
      const i = gates[row + j]!;
      const f = gates[row + H + j]!;
      const g = gates[row + 2 * H + j]!;
      const o = gates[row + 3 * H + j]!;
      const tc = tcs[hRow + j]!;
      const dh = dOut[hRow + j]! + dhNext[k]!;
      const dcT = dc[k]! + dh * o * (1 - tc * tc);
      dproj[row + j] = dcT * g * i * (1 - i);
      dproj[row + H + j] = dcT * cPrev[cBase + k]! * f * (1 - f);
      dproj[row + 2 * H + j] = dcT * i * (1 - g * g);
      dproj[row + 3 * H + j] = dh * tc * o * (1 - o);
      dc[k] = dcT * f;
    }
  }
}

/** dhTmp gets dL/dh_prev's direct part (dh * z); dhh the gradient of W_hh h + b_hh. */
function gruBackwardStep(
  gates: Float32Array, hhn: Float32Array, hPrevAll: Float32Array, dOut: Float32Array, dhNext: Float32Array,
  dproj: Float32Array, dhh: Float32Array, dhTmp: Float32Array, gOff: number, off: number, N: number, H: number,
): void {
  const G = 3 * H;
  for (let n = 0; n < N; n++) {
    const row = gOff + n * G;
    const hRow = off + n * H;
    for (let j = 0; j < H; j++) {
      const k = n * H + j;
      const r = gates[row + j]!;
      const z = gates[row + H + j]!;
      const nn = gates[row + 2 * H + j]!;
      const hn = hhn[hRow + j]!;
      const hp = hPrevAll[hRow + j]!;
      const dh = dOut[hRow + j]! + dhNext[k]!;
      const dan = dh * (1 - z) * (1 - nn * nn);
      const dar = dan * hn * r * (1 - r);
      const daz = dh * (hp - nn) * z * (1 - z);
      dproj[row + j] = dar;
      dproj[row + H + j] = daz;
      dproj[row + 2 * H + j] = dan;
      dhh[row + j] = dar;
      dhh[row + H + j] = daz;
      dhh[row + 2 * H + j] = dan * r;
      dhTmp[k] = dh * z;
    }
  }
}

/** Sums of the columns of a [rows, cols] matrix, accumulated in double precision. */
function columnSums(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = blasPool.alloc(cols);
  sumMiddle(m, out, 1, rows, cols);
  return out;
}
