/**
 * The `blas` TensorFlow.js backend: a second instance of the plain-JavaScript cpu backend
 * (MathBackendCPU, with every cpu kernel) whose matrix multiplications (BatchMatMul, _FusedMatMul,
 * hence also every matMul gradient) run in a BLAS sgemm, and whose hot elementwise, slicing and
 * reduction kernels, recurrent layers and Adam are replaced by faster JavaScript and WebAssembly
 * SIMD (./fast-kernels.ts, ./rnn.ts, ./adam.ts, ./simd.ts). It comes in two variants, the same
 * kernels over a different sgemm:
 * - `blas`: OpenBLAS through the optional `nblas` binding (needs libopenblas-dev at install);
 * - `blas-wasm`: the WebAssembly SIMD sgemm of ./sgemm.ts (no native code, works everywhere).
 * Used when tfjs-node cannot be installed; `src/lib/backend.ts` decides.
 *
 * `registerBlasBackend()` / `registerBlasWasmBackend()` only register (idempotent); they never
 * call setBackend.
 */
import * as tf from '@tensorflow/tfjs';
import { loadNblas, type Nblas } from './nblas.js';
import { makeBatchMatMul, makeFusedMatMul } from './matmul.js';
import { fastKernels } from './fast-kernels.js';
import { installFusedGradients, SIGMOID_GRAD, TANH_GRAD } from './gradients.js';
import { blasPool } from './pool.js';
import { adamKernel } from './adam.js';
import { ADAM_KERNEL } from '../ops/adam.js';
import { GRU_SEQ, LSTM_SEQ, RECURRENT_SEQ_GRAD, RNN_SEQ } from '../ops/recurrent.js';
import { makeRnnKernels } from './rnn.js';
import { acceptNullGradients, installEngineFastPaths } from './engine.js';
import { loadWasmSgemm } from './sgemm.js';

export { loadNblas } from './nblas.js';
export type { Nblas, NblasLoad } from './nblas.js';
export { loadWasmSgemm } from './sgemm.js';
export type { SgemmFlavour, WasmSgemmLoad } from './sgemm.js';

/** The name of the OpenBLAS variant for `tf.setBackend`. */
export const BLAS_BACKEND_NAME = 'blas';
/** The name of the WebAssembly-sgemm variant for `tf.setBackend`. */
export const BLAS_WASM_BACKEND_NAME = 'blas-wasm';

export interface BlasRegistration {
  ok: boolean;
  /**
   * One sentence. When ok: "OpenBLAS sgemm through nblas <version>" (plus " (already
   * registered)" on later calls). When not ok, one of:
   * - "nblas not installed (optional; needs libopenblas-dev)"
   * - "nblas failed to load: <first line of the error>"
   * - "nblas failed its self-test: <detail>"
   * - "registering the blas backend failed: <error>"
   * For the blas-wasm variant, the reasons of `loadWasmSgemm()` (./sgemm.ts).
   */
  reason: string;
}

const registered = new Map<string, BlasRegistration>();

/** Kernel names this backend replaces (the rest are the cpu backend's own). */
export const BLAS_KERNELS: readonly string[] = ['BatchMatMul', '_FusedMatMul', ...Object.keys(fastKernels), SIGMOID_GRAD, TANH_GRAD, ADAM_KERNEL, RNN_SEQ, LSTM_SEQ, GRU_SEQ, RECURRENT_SEQ_GRAD];

function register(backendName: string, blas: Nblas): void {
  // The cpu backend's factory makes a new MathBackendCPU (from @tensorflow/tfjs-backend-cpu, which
  // @tensorflow/tfjs bundles) each call; using it avoids depending on that package directly.
  const cpuFactory = tf.findBackendFactory('cpu');
  if (!cpuFactory) throw new Error('the cpu backend is not registered');
  tf.registerBackend(
    backendName,
    () => {
      const backend = cpuFactory() as tf.KernelBackend;
      // The cpu backend's "install tfjs-node" hint does not apply to this backend.
      (backend as unknown as { firstUse: boolean }).firstUse = false;
      installPoolHooks(backend as unknown as PooledBackend);
      return backend;
    },
    // Lower than cpu's 1: the engine never picks it on its own; setupBackend() chooses.
    0,
  );
  for (const config of tf.getKernelsForBackend('cpu')) {
    tf.registerKernel({ ...config, backendName, kernelFunc: escapingInputs(config.kernelName, config.kernelFunc) });
  }
  const cpu = (name: string): tf.KernelFunc => {
    const k = tf.getKernel(name, 'cpu');
    if (!k) throw new Error(`the cpu backend has no ${name} kernel`);
    return escapingInputs(name, k.kernelFunc);
  };
  const override = (kernelName: string, kernelFunc: tf.KernelFunc) => {
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
  };
  override('BatchMatMul', makeBatchMatMul(blas, cpu('BatchMatMul')));
  override('_FusedMatMul', makeFusedMatMul(blas, { add: cpu('Add'), prelu: cpu('Prelu'), fused: cpu('_FusedMatMul') }));
  for (const [name, make] of Object.entries(fastKernels)) override(name, make(cpu(name), blas));
  // Sigmoid / Tanh backward in one kernel on this backend (other backends keep tfjs's gradient).
  installFusedGradients(backendName);
  // Adam's update of one parameter in one pass (the op: ../ops/adam.ts, used by training/optim.ts).
  tf.registerKernel({ kernelName: ADAM_KERNEL, backendName, kernelFunc: adamKernel });
  // Whole-sequence recurrent layers (the op and its gradients: ../ops/recurrent.ts, used by
  // nn/recurrent.ts). The engine's fast path hands their gradients null for outputs outside the
  // backward pass instead of allocating zeros (./engine.ts).
  const rnn = makeRnnKernels(blas);
  for (const kernelName of [RNN_SEQ, LSTM_SEQ, GRU_SEQ]) {
    tf.registerKernel({ kernelName, backendName, kernelFunc: rnn.forward });
    acceptNullGradients(kernelName);
  }
  tf.registerKernel({ kernelName: RECURRENT_SEQ_GRAD, backendName, kernelFunc: rnn.backward });
  // Tensors kept for gradients share their data without an Identity kernel call (./engine.ts).
  installEngineFastPaths(backendName);
}

/** The parts of MathBackendCPU the buffer pool hooks into. */
interface PooledBackend {
  data: { has(dataId: object): boolean; get(dataId: object): { values?: unknown } };
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
}

/**
 * Gives the arrays of disposed tensors back to the pool, and takes arrays out of the pool's
 * ownership when the backend hands them to a caller (reads return the backend's own array).
 */
function installPoolHooks(backend: PooledBackend): void {
  const dispose = backend.disposeData.bind(backend);
  const readSync = backend.readSync.bind(backend);
  const read = backend.read.bind(backend);
  const valuesOf = (dataId: object): unknown => (backend.data.has(dataId) ? backend.data.get(dataId).values : undefined);
  backend.disposeData = (dataId, force) => {
    const values = valuesOf(dataId);
    const freed = dispose(dataId, force);
    if (freed && values !== undefined && !backend.data.has(dataId)) blasPool.release(values);
    return freed;
  };
  backend.readSync = (dataId) => {
    blasPool.escape(valuesOf(dataId));
    return readSync(dataId);
  };
  backend.read = (dataId) => {
    blasPool.escape(valuesOf(dataId));
    return read(dataId);
  };
}

/**
 * Kernels of the cpu backend that never put an input's array into an output (they share the
 * input's data id, reference-counted, or make new arrays); every other cpu kernel may (a
 * contiguous Slice returns a subarray view), so its inputs' arrays leave the pool for good.
 */
const NO_ALIAS = new Set(['Reshape', 'Identity', 'Cast']);

function escapingInputs(kernelName: string, kernelFunc: tf.KernelFunc): tf.KernelFunc {
  if (NO_ALIAS.has(kernelName)) return kernelFunc;
  return (args) => {
    const backend = args.backend as unknown as PooledBackend;
    for (const t of Object.values(args.inputs)) {
      const dataId = (t as tf.TensorInfo | undefined)?.dataId;
      if (dataId && backend.data.has(dataId)) blasPool.escape(backend.data.get(dataId).values);
    }
    return kernelFunc(args);
  };
}

/** Registers `name` over `blas` (once), or says why it failed. */
function registerAs(name: string, blas: Nblas, reason: string): BlasRegistration {
  const done = registered.get(name);
  if (done) return { ok: true, reason: `${done.reason} (already registered)` };
  try {
    if (!tf.findBackendFactory(name)) register(name, blas);
  } catch (e) {
    const m = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: `registering the ${name} backend failed: ${m.split('\n')[0]}` };
  }
  const r = { ok: true, reason };
  registered.set(name, r);
  return r;
}

/**
 * Loads nblas (lazily, once) and registers the `blas` backend. Returns `{ ok, reason }`; never
 * throws. Does not make the backend active: call `tf.setBackend('blas')` (or `setupBackend()`).
 */
export async function registerBlasBackend(opts: { moduleName?: string } = {}): Promise<BlasRegistration> {
  const done = registered.get(BLAS_BACKEND_NAME);
  if (done) return { ok: true, reason: `${done.reason} (already registered)` };
  // opts.moduleName exists for tests that simulate a missing binding.
  const load = loadNblas(opts.moduleName);
  if (!load.ok) return { ok: false, reason: load.reason };
  return registerAs(BLAS_BACKEND_NAME, load.nblas, load.reason);
}

/**
 * Loads the WebAssembly sgemm (once) and registers the `blas-wasm` backend: the blas backend's
 * kernels without OpenBLAS. Returns `{ ok, reason }` (the reason names the sgemm: relaxed or plain
 * SIMD, and why); never throws. Does not make the backend active.
 */
export async function registerBlasWasmBackend(): Promise<BlasRegistration> {
  const done = registered.get(BLAS_WASM_BACKEND_NAME);
  if (done) return { ok: true, reason: `${done.reason} (already registered)` };
  const load = loadWasmSgemm();
  if (!load.ok) return { ok: false, reason: load.reason };
  return registerAs(BLAS_WASM_BACKEND_NAME, load.blas, load.reason);
}
