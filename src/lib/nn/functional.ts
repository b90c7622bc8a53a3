/** Tensor helpers in PyTorch's spelling. */
import * as tf from '@tensorflow/tfjs';

export interface AllcloseOptions {
  /** Absolute tolerance (default 1e-8, as torch.allclose). */
  atol?: number;
  /** Relative tolerance (default 1e-5, as torch.allclose). */
  rtol?: number;
}

/**
 * `torch.allclose(a, b, rtol, atol)`: same shape and |a - b| <= atol + rtol * |b| everywhere
 * (false on NaN). Reads the values synchronously.
 */
export function allclose(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>, options: AllcloseOptions = {}): boolean {
  const { atol = 1e-8, rtol = 1e-5 } = options;
  if (a instanceof tf.Tensor && b instanceof tf.Tensor && !tf.util.arraysEqual(a.shape, b.shape)) return false;
  const av = a instanceof tf.Tensor ? a.dataSync() : a;
  const bv = b instanceof tf.Tensor ? b.dataSync() : b;
  if (av.length !== bv.length) return false;
  for (let i = 0; i < av.length; i++) {
    const x = Number(av[i]);
    const y = Number(bv[i]);
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return false;
  }
  return true;
}

/** The largest |a - b| (Infinity when the sizes differ). */
export function maxAbsDiff(a: tf.Tensor | ArrayLike<number>, b: tf.Tensor | ArrayLike<number>): number {
  const av = a instanceof tf.Tensor ? a.dataSync() : a;
  const bv = b instanceof tf.Tensor ? b.dataSync() : b;
  if (av.length !== bv.length) return Infinity;
  let m = 0;
  for (let i = 0; i < av.length; i++) m = Math.max(m, Math.abs(Number(av[i]) - Number(bv[i])));
  return m;
}

/**
 * `nn.CrossEntropyLoss()` on logits [M, C] and integer labels [M]: the mean over the batch of
 * -log softmax(logits)[label].
 */
export function crossEntropyLoss(logits: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits as tf.Tensor2D);
    const onehot = tf.oneHot(labels.toInt() as tf.Tensor1D, logits.shape[1]!);
    return tf.neg(tf.mean(tf.sum(tf.mul(logp, onehot), 1))) as tf.Scalar;
  });
}
