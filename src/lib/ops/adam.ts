/**
 * One Adam update of one parameter as a tfjs op, PyTorch's `torch.optim.Adam` (1.13, amsgrad off)
 * for one step:
 *
 *   g = grad + weightDecay * param
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   param = param - lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps)
 *
 * A backend may register the kernel `AdamUpdate` for it (the blas backends do: one pass instead of
 * 11 kernels and 11 temporaries, src/lib/blas/adam.ts): inputs `{ param, grad, m, v }` (float32, all
 * of the parameter's shape), attributes `AdamAttrs` (step counts from 1), outputs `[param, m, v]`,
 * new tensors. Elsewhere `adamUpdate` computes the same with tfjs ops. Backend-neutral: this module
 * knows no backend, it only asks tfjs whether the active one has the kernel.
 */
import * as tf from '@tensorflow/tfjs';

export const ADAM_KERNEL = 'AdamUpdate';

export interface AdamAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
}

/** The update of `param` with gradient `grad` and moments `m`, `v`: returns [new param, new m, new v]. */
export function adamUpdate(param: tf.Tensor, grad: tf.Tensor, m: tf.Tensor, v: tf.Tensor, attrs: AdamAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  if (tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(ADAM_KERNEL, { param, grad, m, v }, attrs as unknown as tf.NamedAttrMap) as [tf.Tensor, tf.Tensor, tf.Tensor];
  }
  return tf.tidy(() => adamOps(param, grad, m, v, attrs));
}

/** The update in tfjs ops (every intermediate rounded to float32). */
function adamOps(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamAttrs): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const grad = a.weightDecay !== 0 ? tf.add(g, tf.mul(p, a.weightDecay)) : g;
  const m2 = tf.add(tf.mul(m, a.beta1), tf.mul(grad, 1 - a.beta1));
  const v2 = tf.add(tf.mul(v, a.beta2), tf.mul(tf.mul(grad, grad), 1 - a.beta2));
  const stepSize = a.lr / (1 - Math.pow(a.beta1, a.step));
  const bc2Sqrt = Math.sqrt(1 - Math.pow(a.beta2, a.step));
  const denom = tf.add(tf.div(tf.sqrt(v2), bc2Sqrt), a.eps);
  return [tf.sub(p, tf.mul(tf.div(m2, denom), stepSize)), m2, v2];
}
