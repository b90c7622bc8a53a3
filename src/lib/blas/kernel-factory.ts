/**
 * The shape of the blas backend's replacement kernels (./binary.ts, ./unary.ts, ./layout.ts,
 * ./reduce.ts, assembled in ./fast-kernels.ts): a factory that takes the cpu backend's kernel of
 * the same name (the fallback for dtypes and patterns it does not handle) and the sgemm.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Nblas } from './nblas.js';

export type KernelFactory = (fallback: tf.KernelFunc, blas: Nblas) => tf.KernelFunc;

/** Below this size two native calls cost more than the JavaScript loop. */
export const BLAS_MIN = 4096;
