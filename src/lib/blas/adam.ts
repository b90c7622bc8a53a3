/**
 * The blas backends' `AdamUpdate` kernel (the op and its contract: ../ops/adam.ts): one Adam
 * update of one parameter in one pass. Each element is computed in double precision and rounded
 * to float32 once per stored value (m and v are rounded before the update uses them, as PyTorch
 * stores then reads them). The same update with tfjs ops takes 11 kernels, 11 temporaries and 11
 * passes over the parameter.
 */
import type * as tf from '@tensorflow/tfjs';
import { ADAM_KERNEL, type AdamAttrs } from '../ops/adam.js';
import { f32, type CpuLikeBackend } from './matmul.js';
import { blasPool } from './pool.js';

/** The update on plain arrays (outputs may not alias inputs). */
export function adamArrays(
  p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  op: Float32Array, om: Float32Array, ov: Float32Array, a: AdamAttrs,
): void {
  const n = p.length;
  const { beta1: b1, beta2: b2, eps, weightDecay: wd } = a;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const stepSize = a.lr / (1 - Math.pow(b1, a.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, a.step));
  for (let i = 0; i < n; i++) {
    const pi = p[i]!;
    const gi = wd === 0 ? g[i]! : g[i]! + wd * pi;
    om[i] = b1 * m[i]! + c1 * gi;
    ov[i] = b2 * v[i]! + c2 * gi * gi;
    op[i] = pi - (stepSize * om[i]!) / (Math.sqrt(ov[i]!) / bc2Sqrt + eps);
  }
}

export const adamKernel: tf.KernelFunc = (args) => {
  const { param, grad, m, v } = args.inputs as Record<'param' | 'grad' | 'm' | 'v', tf.TensorInfo>;
  const attrs = args.attrs as unknown as AdamAttrs;
  const backend = args.backend as unknown as CpuLikeBackend;
  for (const [name, t] of [['grad', grad], ['m', m], ['v', v]] as const) {
    if (t.dtype !== 'float32' || param.dtype !== 'float32') throw new Error(`${ADAM_KERNEL}: float32 tensors only`);
    if (t.shape.length !== param.shape.length || t.shape.some((d, i) => d !== param.shape[i])) {
      throw new Error(`${ADAM_KERNEL}: ${name} has shape [${t.shape}], the parameter [${param.shape}]`);
    }
  }
  if (!(attrs.step >= 1)) throw new Error(`${ADAM_KERNEL}: step must be >= 1`);
  const pv = f32(backend, param);
  const n = pv.length;
  const op = blasPool.alloc(n);
  const om = blasPool.alloc(n);
  const ov = blasPool.alloc(n);
  adamArrays(pv, f32(backend, grad), f32(backend, m), f32(backend, v), op, om, ov, attrs);
  const shape = param.shape.slice();
  return [
    backend.makeTensorInfo(shape, 'float32', op),
    backend.makeTensorInfo(shape.slice(), 'float32', om),
    backend.makeTensorInfo(shape.slice(), 'float32', ov),
  ];
};
