/**
 * `torch.optim.Adam(params, lr, betas, eps, weight_decay)` on top of TensorFlow.js's Adam.
 *
 * tfjs's Adam computes the same update as PyTorch's (bias-corrected moments, eps added to the
 * square root of the corrected second moment) but has no weight decay, and its default epsilon is
 * 1e-7. PyTorch's `weight_decay` (L2, not AdamW) adds `wd * param` to the gradient before the
 * moments are updated; this class does exactly that, passes eps = 1e-8, and hands the gradients to
 * tfjs in the parameters' fixed order (tfjs keeps the moments by position).
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

export class Adam {
  readonly lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  private readonly inner: tf.AdamOptimizer;

  constructor(readonly params: readonly tf.Variable[], lr = 1e-3, options: AdamOptions = {}) {
    this.lr = lr;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (params.length === 0) throw new Error('Adam got an empty parameter list');
    this.inner = tf.train.adam(lr, this.betas[0], this.betas[1], this.eps);
  }

  /**
   * One update from gradients keyed by variable name (what `tf.variableGrads` returns). Parameters
   * without a gradient are skipped, as PyTorch skips parameters whose `.grad` is None. The
   * gradients are disposed.
   */
  step(grads: tf.NamedTensorMap): void {
    const wd = this.weightDecay;
    const list: { name: string; tensor: tf.Tensor }[] = [];
    tf.tidy(() => {
      for (const p of this.params) {
        const g = grads[p.name];
        if (!g) continue;
        list.push({ name: p.name, tensor: tf.keep(wd !== 0 ? tf.add(g, tf.mul(p, wd)) : g.clone()) });
      }
    });
    this.inner.applyGradients(list);
    for (const { tensor } of list) tensor.dispose();
    for (const g of Object.values(grads)) g.dispose();
  }

  /**
   * Computes the loss and its gradients with respect to the parameters and takes one step
   * (zero_grad + backward + step). Returns the loss (the caller disposes it).
   */
  minimize(lossFn: () => tf.Scalar): tf.Scalar {
    const { value, grads } = tf.variableGrads(lossFn, [...this.params]);
    this.step(grads);
    return value;
  }

  dispose(): void {
    this.inner.dispose();
  }
}
