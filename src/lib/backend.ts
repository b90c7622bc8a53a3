/**
 * Chooses the TensorFlow.js backend: libtensorflow through @tensorflow/tfjs-node-gpu when it
 * loads and finds a GPU, else @tensorflow/tfjs-node, else the fastest backend that works here:
 * the `blas` backend with OpenBLAS's sgemm when the optional `nblas` binding is installed, else
 * the same backend with the kit's WebAssembly SIMD sgemm (`blas-wasm`, no native code), then
 * tfjs's `wasm`, then `cpu`. RNNKIT_BACKEND=<name> forces one (tensorflow, blas, blas-wasm, wasm,
 * cpu). The report says which sgemm the blas backend uses and why.
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { displayHtml, escapeHtml } from './display.js';
import { BACKEND_NAMES, checkSettings, setting, settingText, type BackendName } from './settings.js';
import './tfjs-fixes.js';

const require = createRequire(import.meta.url);

/** Every backend, in the order setupBackend() tries them (declared with the setting RNNKIT_BACKEND). */
export { BACKEND_NAMES, type BackendName } from './settings.js';

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  detail: string;
}

export interface BackendReport {
  /** The active tfjs backend. */
  name: BackendName;
  /** Why it was chosen, in a sentence. */
  reason: string;
  /** Whether RNNKIT_BACKEND (or the `force` option) chose it. */
  forced: boolean;
  /** For `tensorflow`: whether libtensorflow runs on a GPU. */
  gpu: boolean;
  /**
   * For `blas` and `blas-wasm`: the sgemm the matrix products run in, in a sentence ("OpenBLAS
   * sgemm through nblas 2.1.13", "WebAssembly SIMD sgemm (plain SIMD: ...)").
   */
  sgemm?: string;
  /** Every backend tried, in order, with what happened. */
  attempts: BackendAttempt[];
  tfjsVersion: string;
}

export interface SetupOptions {
  /** Force a backend (overrides RNNKIT_BACKEND). */
  force?: BackendName;
  /** Show the report in the notebook / print it (default true). */
  show?: boolean;
}

let current: BackendReport | undefined;
let gpuFound = false;

function message(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.slice(0, 200);
}

async function tryTensorflow(): Promise<BackendAttempt> {
  const loadErrors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
    } catch {
      loadErrors.push(`${pkg} not installed`);
      continue;
    }
    try {
      require(pkg);
      await tf.setBackend('tensorflow');
      const backend = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
      gpuFound = backend.isUsingGpuDevice === true;
      const where = gpuFound ? 'on a GPU' : 'on the CPU (no GPU found)';
      return { name: 'tensorflow', ok: true, detail: `${pkg} loaded: libtensorflow ${where}` };
    } catch (e) {
      loadErrors.push(`${pkg} failed to load: ${message(e)}`);
    }
  }
  return { name: 'tensorflow', ok: false, detail: loadErrors.join('; ') };
}

type Register = () => Promise<{ ok: boolean; reason: string }>;

/** The blas backend over OpenBLAS (`blas`) or over the WebAssembly sgemm (`blas-wasm`). */
async function tryBlas(name: 'blas' | 'blas-wasm'): Promise<BackendAttempt> {
  try {
    // The blas backend is loaded on demand: a computed specifier keeps it out of the static graph.
    const blasModule = './blas/index.js';
    const blas = (await import(blasModule)) as { registerBlasBackend?: Register; registerBlasWasmBackend?: Register };
    const register = name === 'blas' ? blas.registerBlasBackend : blas.registerBlasWasmBackend;
    if (!register) return { name, ok: false, detail: 'not built into this version' };
    const r = await register();
    if (!r.ok) return { name, ok: false, detail: r.reason };
    if (!(await tf.setBackend(name))) return { name, ok: false, detail: 'backend failed to initialise' };
    return { name, ok: true, detail: r.reason.replace(/ \(already registered\)$/, '') };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && /blas[\\/]index/.test(message(e))) return { name, ok: false, detail: 'not built into this version' };
    return { name, ok: false, detail: message(e) };
  }
}

async function tryWasm(): Promise<BackendAttempt> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return { name: 'wasm', ok: false, detail: 'WebAssembly backend failed to initialise' };
    return { name: 'wasm', ok: true, detail: 'WebAssembly (SIMD, single thread in Node)' };
  } catch (e) {
    return { name: 'wasm', ok: false, detail: message(e) };
  }
}

async function tryCpu(): Promise<BackendAttempt> {
  const ok = await tf.setBackend('cpu');
  return { name: 'cpu', ok, detail: ok ? 'plain JavaScript kernels' : 'failed to initialise' };
}

const tryers: Record<BackendName, () => Promise<BackendAttempt>> = {
  tensorflow: tryTensorflow,
  blas: () => tryBlas('blas'),
  'blas-wasm': () => tryBlas('blas-wasm'),
  wasm: tryWasm,
  cpu: tryCpu,
};

/**
 * Selects and initialises the backend (once per process; later calls return the same report
 * unless a different backend is forced) and shows which one is active and why.
 */
export async function setupBackend(opts: SetupOptions = {}): Promise<BackendReport> {
  checkSettings();
  const forced = opts.force ?? setting('RNNKIT_BACKEND');
  if (current && (!forced || forced === current.name)) {
    if (opts.show !== false) showBackendReport(current);
    return current;
  }
  const order: BackendName[] = forced ? [forced] : [...BACKEND_NAMES];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const attempt = await tryers[name]();
    attempts.push(attempt);
    if (attempt.ok) {
      await tf.ready();
      const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.name}: ${a.detail}`);
      const reason = forced
        ? `forced by ${opts.force ? 'the force option' : `RNNKIT_BACKEND=${settingText('RNNKIT_BACKEND')}`}; ${attempt.detail}`
        : `${attempt.detail}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`;
      current = { name, reason, forced: forced !== undefined, gpu: name === 'tensorflow' && gpuFound, attempts, tfjsVersion: tf.version_core };
      if (name === 'blas' || name === 'blas-wasm') current.sgemm = attempt.detail;
      if (opts.show !== false) showBackendReport(current);
      return current;
    }
  }
  const why = attempts.map((a) => `${a.name}: ${a.detail}`).join('; ');
  throw new Error(forced ? `The forced backend '${forced}' (RNNKIT_BACKEND) is not available here: ${why}` : `No TensorFlow.js backend works here: ${why}`);
}

/** One line: which backend runs and why. */
export function backendSummary(r: BackendReport): string {
  return `TensorFlow.js ${r.tfjsVersion} backend: ${r.name}${r.gpu ? ' (GPU)' : ''} - ${r.reason}`;
}

export function showBackendReport(r: BackendReport): void {
  const rows = r.attempts
    .map((a) => `<tr><td><code>${a.name}</code></td><td>${a.ok ? '✔ active' : '✘'}</td><td>${escapeHtml(a.detail)}</td></tr>`)
    .join('');
  displayHtml(
    `<div><b>TensorFlow.js ${escapeHtml(r.tfjsVersion)} backend: <code>${r.name}</code>${r.gpu ? ' (GPU)' : ''}</b>` +
      `${r.forced ? ' (forced by RNNKIT_BACKEND)' : ''}<table style="margin-top:4px">${rows}</table></div>`,
    backendSummary(r),
  );
}
