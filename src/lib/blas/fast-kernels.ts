/**
 * The blas backend's replacements for the elementwise, slicing and reduction kernels that dominate
 * the profile of recurrent training on the cpu backend, by kind: ./binary.ts (Add, Sub, Multiply,
 * RealDiv, Maximum, Minimum, SquaredDifference), ./unary.ts (Sigmoid, Tanh, Exp, Log, Neg, Square,
 * Sqrt, Relu), ./layout.ts (Slice, SplitV, Concat, Transpose, Pack, Unpack, PadV2, Tile) and
 * ./reduce.ts (Sum). They handle float32 and call the cpu kernel (the fallback) for anything else.
 * Everything gives the cpu backend's results bit for bit, except Sigmoid / Tanh / Exp (within 2
 * float32 ulps) and large Sums (float32 accumulation, as in PyTorch).
 */
import { binaryKernels } from './binary.js';
import type { KernelFactory } from './kernel-factory.js';
import { layoutKernels } from './layout.js';
import { reduceKernels } from './reduce.js';
import { unaryKernels } from './unary.js';

/** Kernel name -> factory taking the cpu kernel as fallback (./index.ts registers them). */
export const fastKernels: Readonly<Record<string, KernelFactory>> = {
  ...binaryKernels,
  ...unaryKernels,
  ...layoutKernels,
  ...reduceKernels,
};
