/**
 * Corrections to TensorFlow.js 4.22 that the course's code runs into, installed for every backend
 * when the library loads (importing it is enough; `installTfjsFixes()` is idempotent).
 *
 * - The gradient of `tf.unstack` (the Unpack kernel) fails when the unstacked axis has size 1:
 *   the tape hands a kernel with a single output its one gradient as a tensor, not an array, and
 *   tfjs's gradient passes it to `tf.stack`, which throws "Argument tensors passed to stack must be
 *   a `Tensor[]` or `TensorLike[]`". Lab 8's cells unstack the time steps, so a one-step input
 *   (T = 1) could not be trained. The replacement stacks `[dy]` in that case and is tfjs's gradient
 *   otherwise.
 */
import * as tf from '@tensorflow/tfjs';

let installed = false;

export function installTfjsFixes(): void {
  if (installed) return;
  installed = true;
  const unpack = tf.getGradient('Unpack');
  tf.registerGradient({
    ...(unpack ?? { kernelName: 'Unpack' }),
    kernelName: 'Unpack',
    gradFunc: (dy, _saved, attrs) => {
      const { axis } = attrs as unknown as { axis: number };
      const dys = Array.isArray(dy) ? dy : [dy];
      return { value: () => tf.stack(dys, axis) };
    },
  });
}

installTfjsFixes();
