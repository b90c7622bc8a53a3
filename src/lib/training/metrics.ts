/**
 * Per-batch metrics as scalar tensors and their running sums, kept on the backend so that a batch
 * loop never waits for it (read once per epoch). Shared by `train` / `test` and the I2DL `Solver`.
 */
import * as tf from '@tensorflow/tfjs';

/** How many rows of `outputs` have their highest score at the label (a scalar tensor). */
export function countCorrect(outputs: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(outputs, 1), tf.cast(labels, 'int32')), 'float32')));
}

/** Adds b to the running sum a (disposing both inputs' old sum and b). */
export function accumulate(a: tf.Scalar | null, b: tf.Scalar): tf.Scalar {
  if (a === null) return b;
  const s = tf.add(a, b) as tf.Scalar;
  a.dispose();
  b.dispose();
  return s;
}
