/**
 * rnn-course-kit/backend: choosing the fastest TensorFlow.js backend available here (tfjs-node,
 * the OpenBLAS or WebAssembly-sgemm `blas` backends, wasm, cpu) and saying which one is active.
 */
export {
  setupBackend, backendSummary, BACKEND_NAMES,
  type BackendName, type BackendReport, type BackendAttempt, type SetupOptions,
} from '../lib/backend.js';
