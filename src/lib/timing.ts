/**
 * Python's `timeit.timeit(stmt, number=n)` for notebooks: runs a function `number` times and
 * returns the total wall time in seconds.
 *
 * ```ts
 * const runs = 10 ** 4;
 * console.log(`Time library RNN ${runs} runs: ${timeit(() => libraryRnn.call(X), runs).toFixed(3)}s`);
 * ```
 *
 * Each call runs inside `tf.tidy`, so the tensors it returns (a module's outputs) are freed at once
 * and a long timing loop does not fill the memory. TensorFlow.js's CPU backends (cpu, blas, wasm)
 * and tfjs-node compute every operation when it is called, like PyTorch on the CPU, so the time
 * includes the computation. One untimed call warms up first (kernel selection, first allocations),
 * as timeit's caller usually has run the statement before; `warmup: 0` switches that off.
 *
 * Shortened runs (tests, CI: RNNKIT_TIMEIT_RUNS=<n> or RNNKIT_QUICK=1) time fewer calls and return
 * the time they took scaled to `number` calls, an estimate of the full timing.
 */
import * as tf from '@tensorflow/tfjs';
import { limit } from './settings.js';

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
  const runs = limit('timeitRuns', number);
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) once();
  const seconds = (performance.now() - t0) / 1000;
  return runs === number ? seconds : (seconds * number) / runs;
}
