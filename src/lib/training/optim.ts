/**
 * `torch.optim.Adam(params, lr, betas, eps, weight_decay)` for TensorFlow.js, with PyTorch's
 * update (1.13, amsgrad off) for every parameter p with gradient g, at its step t (from 1):
 *
 *   g = g + weight_decay * p            (L2 weight decay as PyTorch does it, not AdamW)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g^2
 *   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * The moments start at zero; each parameter keeps its own step count, and a parameter without a
 * gradient is skipped, as PyTorch skips parameters whose `.grad` is None. tfjs's own Adam has no
 * weight decay, a default epsilon of 1e-7 and one step count for all parameters, hence this class.
 * Each parameter's update is one `adamUpdate` op (../ops/adam.ts): one fused kernel where the
 * backend registers it (the blas backends), tfjs ops elsewhere; both keep the same state.
 */
import * as tf from '@tensorflow/tfjs';
import { adamUpdate } from '../ops/adam.js';

export interface AdamOptions {
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

interface ParamState {
  step: number;
  m: tf.Tensor;
  v: tf.Tensor;
}

export class Adam {
  readonly lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Per parameter (by position): its step count and moments, created at its first update. */
  private readonly state: (ParamState | undefined)[];

  constructor(readonly params: readonly tf.Variable[], lr = 1e-3, options: AdamOptions = {}) {
    this.lr = lr;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (params.length === 0) throw new Error('Adam got an empty parameter list');
    this.state = params.map(() => undefined);
  }

  /**
   * One update from gradients keyed by variable name (what `tf.variableGrads` returns). Parameters
   * without a gradient are skipped. The gradients are disposed.
   */
  step(grads: tf.NamedTensorMap): void {
    const [beta1, beta2] = this.betas;
    this.params.forEach((p, i) => {
      const g = grads[p.name];
      if (!g) return;
      if (!tf.util.arraysEqual(g.shape, p.shape)) throw new Error(`Adam: the gradient of ${p.name} has shape [${g.shape}], the parameter [${p.shape}]`);
      const s: ParamState = this.state[i] ?? { step: 0, m: tf.keep(tf.zerosLike(p)), v: tf.keep(tf.zerosLike(p)) };
      this.state[i] = s;
      s.step += 1;
      const attrs = { lr: this.lr, beta1, beta2, eps: this.eps, weightDecay: this.weightDecay, step: s.step };
      const [np, nm, nv] = tf.tidy(() => adamUpdate(p, g, s.m, s.v, attrs).map((t) => tf.keep(t)) as [tf.Tensor, tf.Tensor, tf.Tensor]);
      p.assign(np);
      np.dispose();
      s.m.dispose();
      s.v.dispose();
      s.m = nm;
      s.v = nv;
    });
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

  /** Frees the moments. */
  dispose(): void {
    for (const s of this.state) if (s) tf.dispose([s.m, s.v]);
    this.state.fill(undefined);
  }
}
