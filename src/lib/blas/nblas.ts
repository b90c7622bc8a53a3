/**
 * Lazy loader for the optional `nblas` package (a CBLAS binding built against the system BLAS;
 * here Debian's OpenBLAS from `libopenblas-dev`). Nothing is loaded until `loadNblas()` is called,
 * so the library works without it.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The part of nblas we use: row-major CBLAS sgemm, scopy, saxpy (./sgemm.ts implements it too). */
export interface Nblas {
  NoTrans: number;
  Trans: number;
  /**
   * C = alpha * op(A) * op(B) + beta * C, row-major (CblasRowMajor), op(A) is m x k, op(B) is
   * k x n; typed-array views (subarrays) are passed with their byte offsets.
   */
  sgemm(
    transA: number, transB: number, m: number, n: number, k: number,
    alpha: number, a: Float32Array, lda: number, b: Float32Array, ldb: number,
    beta: number, c: Float32Array, ldc: number,
  ): void;
  /** y = x (n elements, strides incX, incY). */
  scopy(n: number, x: Float32Array, incX: number, y: Float32Array, incY: number): void;
  /** y += alpha * x. */
  saxpy(n: number, alpha: number, x: Float32Array, incX: number, y: Float32Array, incY: number): void;
  /**
   * False where sums as products with a ones vector are slower than the SIMD loops (the
   * WebAssembly sgemm of ./sgemm.ts, which copies its operands); nblas leaves it undefined.
   */
  onesProducts?: boolean;
}

export type NblasLoad = { ok: true; nblas: Nblas; reason: string } | { ok: false; reason: string };

let cached: NblasLoad | undefined;

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 200);
}

/**
 * Loads nblas once (the result is cached). `moduleName` exists for tests that simulate a missing
 * package. Reasons (the `reason` strings):
 * - ok: "OpenBLAS sgemm through nblas <version>"
 * - "nblas not installed (optional; needs libopenblas-dev)": the package is not in node_modules.
 *   npm drops the optional dependency when its native build fails (no libopenblas-dev or no C++
 *   toolchain) and also when its install script is not allowed (npm 11: package.json
 *   "allowScripts" must list nblas, as this project's does).
 * - "nblas failed to load: <error>": installed but its native addon is missing or does not load
 *   (the install script was not allowed to run, or libblas.so.3 is gone).
 * - "nblas failed its self-test: <detail>": it loaded but a 2x2 sgemm gave a wrong answer.
 */
export function loadNblas(moduleName = 'nblas'): NblasLoad {
  if (moduleName === 'nblas' && cached) return cached;
  const result = tryLoad(moduleName);
  if (moduleName === 'nblas') cached = result;
  return result;
}

function tryLoad(moduleName: string): NblasLoad {
  let resolved: string;
  try {
    resolved = require.resolve(moduleName);
  } catch {
    return { ok: false, reason: `${moduleName} not installed (optional; needs libopenblas-dev)` };
  }
  let mod: Nblas;
  // OpenBLAS reads its thread count when the library loads. One thread is faster here for the
  // course's matrix sizes (measured on 2 cores: the second thread's spin-waiting competes with
  // the JavaScript kernels and the garbage collector), so default to 1 unless the user set it.
  const hadThreads = process.env.OPENBLAS_NUM_THREADS;
  if (hadThreads === undefined) process.env.OPENBLAS_NUM_THREADS = '1';
  try {
    mod = require(resolved) as Nblas;
  } catch (e) {
    return { ok: false, reason: `${moduleName} failed to load: ${firstLine(e)}` };
  } finally {
    // Do not leak the setting into child processes.
    if (hadThreads === undefined) delete process.env.OPENBLAS_NUM_THREADS;
  }
  if (typeof mod.sgemm !== 'function' || typeof mod.scopy !== 'function' || typeof mod.saxpy !== 'function' || mod.NoTrans !== 111 || mod.Trans !== 112) {
    return { ok: false, reason: `${moduleName} failed to load: no CBLAS sgemm/scopy/saxpy in its exports` };
  }
  // Self-test: [[1,2],[3,4]] x [[1,2],[3,4]]^T = [[5,11],[11,25]].
  try {
    const a = new Float32Array([1, 2, 3, 4]);
    const c = new Float32Array(4);
    mod.sgemm(mod.NoTrans, mod.Trans, 2, 2, 2, 1, a, 2, a, 2, 0, c, 2);
    if (c[0] !== 5 || c[1] !== 11 || c[2] !== 11 || c[3] !== 25) {
      return { ok: false, reason: `${moduleName} failed its self-test: got [${Array.from(c).join(', ')}]` };
    }
  } catch (e) {
    return { ok: false, reason: `${moduleName} failed its self-test: ${firstLine(e)}` };
  }
  let version = '';
  try {
    version = (require(`${moduleName}/package.json`) as { version?: string }).version ?? '';
  } catch {
    // version unknown
  }
  return { ok: true, nblas: mod, reason: `OpenBLAS sgemm through nblas${version ? ` ${version}` : ''}` };
}
