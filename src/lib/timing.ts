/**
 * Python's `timeit.timeit(stmt, number=n)` for notebooks: runs a function `number` times and
 * returns the total wall time in seconds.
 *
 * ```ts
 * const runs = timeitRuns(10 ** 4);   // 10^4, or fewer with RNNKIT_TIMEIT_RUNS / RNNKIT_QUICK
 * console.log(`Time library RNN ${runs} runs: ${timeit(() => libraryRnn.call(X), runs).toFixed(3)}s`);
 * ```
 *
 * Each call runs inside `tf.tidy`, so the tensors it returns (a module's outputs) are freed at once
 * and a long timing loop does not fill the memory. TensorFlow.js's CPU backends (cpu, blas, wasm)
 * and tfjs-node compute every operation when it is called, like PyTorch on the CPU, so the time
 * includes the computation. One untimed call warms up first (kernel selection, first allocations),
 * as timeit's caller usually has run the statement before; `warmup: 0` switches that off.
 */
import * as tf from '@tensorflow/tfjs';

/** How many runs RNNKIT_QUICK=1 leaves of a timing (when RNNKIT_TIMEIT_RUNS is not set). */
export const QUICK_TIMEIT_RUNS = 20;

function truthy(v: string | undefined): boolean {
  return v !== undefined && /^(1|true|yes|on)$/i.test(v.trim());
}

/**
 * The number of runs of a timing: `requested` (the notebook's value, the seed's 10^4), shortened by
 * RNNKIT_TIMEIT_RUNS=<n> (tests, CI) or RNNKIT_QUICK=1 (at most QUICK_TIMEIT_RUNS). The settings
 * only ever shorten.
 */
export function timeitRuns(requested: number): number {
  if (!Number.isSafeInteger(requested) || requested < 1) throw new RangeError(`timeitRuns: the number of runs must be a positive integer, got ${requested}`);
  const env = process.env['RNNKIT_TIMEIT_RUNS'];
  if (env !== undefined && env.trim() !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`RNNKIT_TIMEIT_RUNS must be a positive integer, got ${JSON.stringify(env)}`);
    return Math.min(requested, n);
  }
  if (truthy(process.env['RNNKIT_QUICK'])) return Math.min(requested, QUICK_TIMEIT_RUNS);
  return requested;
}

export interface TimeitOptions {
  /** Untimed calls before the timed ones (default 1). */
  warmup?: number;
}

/**
 * Calls `stmt` `number` times (each call in `tf.tidy`) and returns the elapsed wall time in seconds,
 * like `timeit.timeit(stmt, number=number)`. Synchronous: `stmt` must not return a promise.
 */
export function timeit(stmt: () => unknown, number: number, options: TimeitOptions = {}): number {
  if (typeof stmt !== 'function') throw new TypeError(`timeit: the statement must be a function, e.g. timeit(() => rnn.call(X), ${number}), got ${typeof stmt}`);
  if (!Number.isSafeInteger(number) || number < 0) throw new RangeError(`timeit: number must be a non-negative integer, got ${number}`);
  const warmup = options.warmup ?? 1;
  const once = (): void => {
    tf.tidy(() => {
      const r = stmt();
      if (r instanceof Promise) throw new TypeError('timeit: the statement returned a promise; time synchronous code only');
      // Results (tensors, arrays or tuples of tensors) are freed by tidy; nothing is returned.
    });
  };
  for (let i = 0; i < warmup; i++) once();
  const t0 = performance.now();
  for (let i = 0; i < number; i++) once();
  return (performance.now() - t0) / 1000;
}
