/**
 * The blas backend's own sgemm in WebAssembly SIMD, for machines without OpenBLAS (no nblas):
 * the `blas-wasm` variant of the backend runs every kernel of `blas` with this in place of
 * OpenBLAS. Written here because neither tfjs's wasm backend (XNNPACK only for untransposed,
 * unbatched products; a plain loop otherwise, about 1 GFLOP/s here) nor any npm package gives a
 * transposing, strided sgemm without a native build.
 *
 * The module (scripts/simd/sgemm.mjs, compiled into ./sgemm-wasm.ts) packs op(A) and op(B) into
 * panels and runs a register-blocked micro-kernel; it comes in two builds, one with relaxed
 * SIMD's fused multiply-add (f32x4.relaxed_madd) and one with plain SIMD, and the first that this
 * Node validates and that passes a self-test is used. Node 20 validates relaxed SIMD only with
 * `--experimental-wasm-relaxed-simd`; Node 22 and later have it on by default.
 * `RNNKIT_BLAS_RELAXED=0` keeps plain SIMD (for comparisons).
 *
 * The object returned implements the part of nblas's CBLAS interface the backend uses (./nblas.ts):
 * the operands are copied into the module's memory (`TypedArray.set`, a memcpy), the product is
 * computed there and C is copied back, so no view of that memory leaves this file.
 */
import { setting } from '../settings.js';
import type { Nblas } from './nblas.js';
import { SGEMM_BLOCKING, SGEMM_RELAXED_WASM_BASE64, SGEMM_SIMD_WASM_BASE64 } from './sgemm-wasm.js';

export type SgemmFlavour = 'relaxed-simd' | 'simd';

export type WasmSgemmLoad = { ok: true; blas: Nblas; flavour: SgemmFlavour; reason: string } | { ok: false; reason: string };

interface Exports {
  memory: WebAssembly.Memory;
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number, alpha: number, a: number, lda: number,
    b: number, ldb: number, beta: number, c: number, ldc: number, pa: number, pb: number, tile: number,
  ): void;
}

/** The most floats one call places in the module's memory (1 GB); larger products are split by rows of C. */
export const SGEMM_MAX_FLOATS = 256 * 1024 * 1024;

const NO_TRANS = 111;
const TRANS = 112;
const { MR, NR, KC } = SGEMM_BLOCKING;

/** Whole vectors of four floats plus one vector of padding. */
const span = (n: number) => ((n + 3) & ~3) + 4;

/** Floats of a row-major operand of `rows` rows of `cols` with leading dimension ld (0 when empty). */
const extent = (rows: number, cols: number, ld: number) => (rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols);

function instantiate(base64: string): Exports | undefined {
  try {
    const bytes = Buffer.from(base64, 'base64');
    if (!WebAssembly.validate(bytes)) return undefined;
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    return undefined;
  }
}

/**
 * The CBLAS-like object around one instance of the module. A call that needs more than maxFloats
 * floats of the module's memory, or more than the engine lets it grow to, is split by rows of C.
 */
function wrap(ex: Exports, maxFloats = SGEMM_MAX_FLOATS): Nblas {
  const memory = ex.memory;
  let mem = new Float32Array(memory.buffer);
  /** Whether the memory holds (or could be grown to hold) `floats` floats. */
  const reserve = (floats: number): boolean => {
    if (floats > maxFloats) return false;
    const bytes = floats * 4;
    try {
      if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    } catch {
      return false; // RangeError: the engine's limit
    }
    if (mem.buffer !== memory.buffer) mem = new Float32Array(memory.buffer);
    return true;
  };
  /** Floats the call needs for op(A) m x k, op(B) k x n, C. */
  const need = (m: number, n: number, k: number, sa: number, sb: number, sc: number) => {
    const kc = Math.min(k, KC);
    return span(MR * NR) + span(Math.ceil(m / MR) * MR * kc) + span(Math.ceil(n / NR) * NR * kc) + span(sa) + span(sb) + span(sc);
  };
  const sgemm: Nblas['sgemm'] = (transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) => {
    const tA = transA === TRANS;
    const tB = transB === TRANS;
    if ((!tA && transA !== NO_TRANS) || (!tB && transB !== NO_TRANS)) throw new RangeError(`sgemm: transA / transB must be 111 (NoTrans) or 112 (Trans), got ${transA}, ${transB}`);
    if (m <= 0 || n <= 0) return;
    const sa = k === 0 ? 0 : tA ? extent(k, m, lda) : extent(m, k, lda);
    const sb = k === 0 ? 0 : tB ? extent(n, k, ldb) : extent(k, n, ldb);
    const sc = extent(m, n, ldc);
    if (a.length < sa || b.length < sb || c.length < sc) throw new RangeError('sgemm: an operand is shorter than its dimensions and leading dimension say');
    if (!reserve(need(m, n, k, sa, sb, sc))) {
      if (m === 1) throw new RangeError(`sgemm: a product of 1 x ${k} by ${k} x ${n} does not fit in the WebAssembly sgemm's memory (at most ${maxFloats} floats)`);
      // Split C's rows in two (op(A)'s rows start i0 rows, or i0 columns when transposed, further).
      const h = m >> 1;
      sgemm(transA, transB, h, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      const offA = tA ? h : h * lda;
      sgemm(transA, transB, m - h, n, k, alpha, a.subarray(offA), lda, b, ldb, beta, c.subarray(h * ldc), ldc);
      return;
    }
    let top = 0;
    const place = (n: number) => {
      const at = top;
      top += span(n);
      return at;
    };
    const tile = place(MR * NR);
    const kc = Math.min(k, KC);
    const pa = place(Math.ceil(m / MR) * MR * kc);
    const pb = place(Math.ceil(n / NR) * NR * kc);
    const ia = place(sa);
    const ib = place(sb);
    const ic = place(sc);
    if (sa > 0) mem.set(sa === a.length ? a : a.subarray(0, sa), ia);
    if (sb > 0) mem.set(sb === b.length ? b : b.subarray(0, sb), ib);
    // C is read when beta != 0, and when its rows have gaps (ldc > n) that the copy back must keep.
    const cIn = beta !== 0 || ldc !== n;
    if (cIn) mem.set(sc === c.length ? c : c.subarray(0, sc), ic);
    ex.sgemm(tA ? 1 : 0, tB ? 1 : 0, m, n, k, alpha, ia * 4, lda, ib * 4, ldb, beta, ic * 4, ldc, pa * 4, pb * 4, tile * 4);
    c.set(mem.subarray(ic, ic + sc));
  };
  return {
    NoTrans: NO_TRANS,
    Trans: TRANS,
    onesProducts: false,
    sgemm,
    scopy(n, x, incX, y, incY) {
      if (incX === 1 && incY === 1) {
        y.set(n === x.length ? x : x.subarray(0, n));
        return;
      }
      for (let i = 0; i < n; i++) y[i * incY] = x[i * incX]!;
    },
    saxpy(n, alpha, x, incX, y, incY) {
      for (let i = 0; i < n; i++) y[i * incY]! += alpha * x[i * incX]!;
    },
  };
}

/** [[1,2],[3,4]] x [[1,2],[3,4]]^T = [[5,11],[11,25]], and an odd-sized product with every flag against a plain loop. */
function selfTest(blas: Nblas): string | undefined {
  try {
    const a = new Float32Array([1, 2, 3, 4]);
    const c = new Float32Array(4);
    blas.sgemm(NO_TRANS, TRANS, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2);
    if (c.join() !== '5,11,11,25') return `got [${c.join(', ')}]`;
    const m = 5, n = 9, k = 3;
    const x = Float32Array.from({ length: m * k }, (_, i) => (i % 7) - 3);
    const y = Float32Array.from({ length: k * n }, (_, i) => (i % 5) - 2);
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        const out = new Float32Array(m * n).fill(1);
        blas.sgemm(tA ? TRANS : NO_TRANS, tB ? TRANS : NO_TRANS, m, n, k, 2, x, tA ? m : k, y, tB ? k : n, 0.5, out, n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += x[tA ? p * m + i : i * k + p]! * y[tB ? j * k + p : p * n + j]!;
            if (out[i * n + j] !== 2 * s + 0.5) return `transA=${tA} transB=${tB}: C[${i}, ${j}] = ${out[i * n + j]}, expected ${2 * s + 0.5}`;
          }
        }
      }
    }
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
}

/**
 * A fresh instance of one build, unchecked, or undefined where this Node does not validate it
 * (tests compare both builds; `maxFloats` makes them exercise the split of large products).
 */
export function wasmSgemmBuild(flavour: SgemmFlavour, opts: { maxFloats?: number } = {}): Nblas | undefined {
  const ex = instantiate(flavour === 'relaxed-simd' ? SGEMM_RELAXED_WASM_BASE64 : SGEMM_SIMD_WASM_BASE64);
  return ex ? wrap(ex, opts.maxFloats) : undefined;
}

let cached: WasmSgemmLoad | undefined;

/**
 * The WebAssembly sgemm (cached). Reasons (the `reason` strings):
 * - ok: "WebAssembly SIMD sgemm with relaxed SIMD (fused multiply-add)" or "WebAssembly SIMD sgemm
 *   (plain SIMD: <why not relaxed>)";
 * - "WebAssembly SIMD is not available in this JavaScript engine";
 * - "the WebAssembly sgemm failed its self-test: <detail>".
 */
export function loadWasmSgemm(): WasmSgemmLoad {
  if (cached) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): WasmSgemmLoad {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.Module !== 'function') return { ok: false, reason: 'WebAssembly is not available in this JavaScript engine' };
  const relaxedOff = setting('RNNKIT_BLAS_RELAXED') === false;
  let whyPlain = 'RNNKIT_BLAS_RELAXED=0';
  if (!relaxedOff) {
    const relaxed = instantiate(SGEMM_RELAXED_WASM_BASE64);
    if (relaxed) {
      const blas = wrap(relaxed);
      const bad = selfTest(blas);
      if (!bad) return { ok: true, blas, flavour: 'relaxed-simd', reason: 'WebAssembly SIMD sgemm with relaxed SIMD (fused multiply-add)' };
      whyPlain = `the relaxed SIMD build failed its self-test: ${bad}`;
    } else {
      whyPlain = `Node ${process.versions.node} has no relaxed SIMD${Number(process.versions.node.split('.')[0]) < 22 ? ' without --experimental-wasm-relaxed-simd' : ''}`;
    }
  }
  const plain = instantiate(SGEMM_SIMD_WASM_BASE64);
  if (!plain) return { ok: false, reason: 'WebAssembly SIMD is not available in this JavaScript engine' };
  const blas = wrap(plain);
  const bad = selfTest(blas);
  if (bad) return { ok: false, reason: `the WebAssembly sgemm failed its self-test: ${bad}` };
  return { ok: true, blas, flavour: 'simd', reason: `WebAssembly SIMD sgemm (plain SIMD: ${whyPlain})` };
}
