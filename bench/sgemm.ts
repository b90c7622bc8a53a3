/**
 * The sgemm micro-benchmark of `npm run bench`: GFLOP/s of the products recurrent training makes,
 * by the WebAssembly sgemm (blas-wasm), OpenBLAS through nblas (blas) and PyTorch's torch.mm, at
 * the courses' shapes: a batch of 64 by 28 inputs into 4 x 32 gates (64x28x128), 64 by H = 128
 * into 4H = 512 gates (64x128x512), Lab 8's batch of 100 by one input into 3 x 10 gates
 * (100x1x30). Each comes as the forward product op(A) = A, op(B) = B (NN) and as its two
 * transposes of the backward pass: dA = dC B^T (NT) and dB = A^T dC (TN).
 *
 * The three run in alternating rounds (the machine may be shared); each round repeats calls for
 * --sgemm-ms milliseconds. GFLOP/s are per second of the process's CPU time (what a core delivers,
 * robust to other processes' load; medians over rounds); the paired ratio compares wall-clock
 * times of neighbouring rounds. The TypeScript sides are timed through the backend's own
 * interface (the WebAssembly sgemm including copying the operands into its memory and C back out).
 */
import { loadNblas, loadWasmSgemm, type Nblas } from '../dist/lib/blas/index.js';

export interface SgemmCase {
  label: string;
  m: number;
  n: number;
  k: number;
  tA: boolean;
  tB: boolean;
}

/** (m, k, n) of the forward products; each also as dA (NT) and dB (TN). */
const SHAPES: [number, number, number][] = [[64, 28, 128], [64, 128, 512], [100, 1, 30]];

export const SGEMM_CASES: SgemmCase[] = SHAPES.flatMap(([m, k, n]) => [
  { label: `${m}x${k}x${n} NN`, m, n, k, tA: false, tB: false },
  // dA [m, k] = dC [m, n] x B [k, n]^T
  { label: `${m}x${n}x${k} NT`, m, n: k, k: n, tA: false, tB: true },
  // dB [k, n] = A [m, k]^T x dC [m, n]
  { label: `${k}x${m}x${n} TN`, m: k, n, k: m, tA: true, tB: false },
]);

export interface SgemmRow {
  label: string;
  /** GFLOP/s per CPU second (2 m n k per call): WebAssembly sgemm, OpenBLAS, PyTorch. */
  wasm: number;
  openblas?: number;
  torch?: number;
  /** Median over rounds of wasm / PyTorch wall-clock time per call (> 1: slower than PyTorch). */
  pairedRatio?: number;
}

/** Wall-clock and CPU microseconds per call. */
export interface CallTime {
  us: number;
  cpuUs: number;
}

type TorchSgemm = (c: SgemmCase, ms: number) => Promise<CallTime>;

function median(xs: number[]): number {
  const s = [...xs].sort((p, q) => p - q);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

function operands(c: SgemmCase) {
  const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37));
  return { a: fill(c.m * c.k), b: fill(c.k * c.n), out: new Float32Array(c.m * c.n) };
}

/** Microseconds per call of `blas.sgemm` for this case, calls repeated for about `ms`. */
function timeBlas(blas: Nblas, c: SgemmCase, ms: number, ops: ReturnType<typeof operands>): CallTime {
  const run = () => blas.sgemm(c.tA ? blas.Trans : blas.NoTrans, c.tB ? blas.Trans : blas.NoTrans, c.m, c.n, c.k, 1, ops.a, c.tA ? c.m : c.k, ops.b, c.tB ? c.k : c.n, 0, ops.out, c.n);
  let calls = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 10; i++) run();
    calls += 10;
    t = performance.now();
  }
  const cpu = process.cpuUsage(c0);
  return { us: ((t - t0) * 1000) / calls, cpuUs: (cpu.user + cpu.system) / calls };
}

/** Runs the micro-benchmark; `torch` times one case in PyTorch (undefined: skipped). */
export async function sgemmBench(opts: { rounds: number; ms: number; torch?: TorchSgemm }): Promise<{ rows: SgemmRow[]; wasmReason: string; openblasReason: string }> {
  const wasm = loadWasmSgemm();
  if (!wasm.ok) throw new Error(`the WebAssembly sgemm does not load here: ${wasm.reason}`);
  const nblas = loadNblas();
  const rows: SgemmRow[] = [];
  for (const c of SGEMM_CASES) {
    const ops = operands(c);
    const flops = 2 * c.m * c.n * c.k;
    // warm-up
    timeBlas(wasm.blas, c, 20, ops);
    if (nblas.ok) timeBlas(nblas.nblas, c, 20, ops);
    const w: CallTime[] = [];
    const o: CallTime[] = [];
    const t: CallTime[] = [];
    let torch = opts.torch;
    for (let r = 0; r < opts.rounds; r++) {
      w.push(timeBlas(wasm.blas, c, opts.ms, ops));
      if (nblas.ok) o.push(timeBlas(nblas.nblas, c, opts.ms, ops));
      if (torch) {
        try {
          t.push(await torch(c, opts.ms));
        } catch {
          torch = undefined;
        }
      }
    }
    const gflops = (times: CallTime[]) => (times.length ? flops / median(times.map((x) => x.cpuUs)) / 1000 : undefined);
    const row: SgemmRow = { label: c.label, wasm: gflops(w)! };
    if (o.length) row.openblas = gflops(o);
    if (t.length === w.length) {
      row.torch = gflops(t);
      row.pairedRatio = median(w.map((x, i) => x.us / t[i]!.us));
    }
    rows.push(row);
  }
  return { rows, wasmReason: wasm.reason, openblasReason: nblas.reason };
}

/** The table as Markdown. */
export function sgemmTable(rows: SgemmRow[]): string {
  const f = (x: number | undefined) => (x === undefined ? '-' : x.toFixed(1));
  const lines = [
    '| sgemm m x k x n | WebAssembly GFLOP/s | OpenBLAS GFLOP/s | PyTorch GFLOP/s | paired wall-time ratio WebAssembly / PyTorch |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) lines.push(`| ${r.label} | ${f(r.wasm)} | ${f(r.openblas)} | ${f(r.torch)} | ${r.pairedRatio === undefined ? '-' : r.pairedRatio.toFixed(2)} |`);
  return lines.join('\n');
}

/**
 * Measures the time the active blas variant spends in sgemm (what bounds a workload): wraps the
 * sgemm of nblas (`blas`) or of the WebAssembly sgemm (`blas-wasm`), the same objects the
 * backend's kernels call, until `dispose()`. Undefined for other backends.
 */
export function sgemmMeter(backend: string): { elapsed(): number; dispose(): void } | undefined {
  const load = backend === 'blas' ? loadNblas() : backend === 'blas-wasm' ? loadWasmSgemm() : undefined;
  if (!load?.ok) return undefined;
  const blas = 'nblas' in load ? load.nblas : load.blas;
  const original = blas.sgemm;
  let total = 0;
  blas.sgemm = (...args) => {
    const t0 = performance.now();
    try {
      original.apply(blas, args);
    } finally {
      total += performance.now() - t0;
    }
  };
  return {
    elapsed: () => total,
    dispose: () => {
      blas.sgemm = original;
    },
  };
}
