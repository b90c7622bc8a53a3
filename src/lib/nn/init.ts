/**
 * `torch.nn.init`-style helpers that fill a parameter in place: `constant_`, `zeros_`, `ones_`
 * (the random ones, `uniform_` and `normal_`, live with the generator in
 * `random/torch-generator.ts`). The original notebooks write `nn.init.constant_(p, val=0.3)`; here
 * `constant_(p, 0.3)` or `init.constant_(p, 0.3)`.
 */
import * as tf from '@tensorflow/tfjs';
import { normal_, uniform_ } from '../random/torch-generator.js';

function checkVariable(fn: string, target: unknown): asserts target is tf.Variable {
  if (target instanceof tf.Variable) return;
  if (target === null || target === undefined) {
    throw new TypeError(`${fn}: got ${target} instead of a tf.Variable (a layer without bias has no bias parameter)`);
  }
  throw new TypeError(`${fn}: expected a tf.Variable (a parameter), got ${target instanceof tf.Tensor ? 'a plain tf.Tensor (tensors are immutable)' : typeof target}`);
}

/**
 * `nn.init.constant_(tensor, val)`: sets every entry of the parameter to `value`; returns the
 * parameter. Example: `for (const p of rnn.parameters()) constant_(p, 0.3)`.
 */
export function constant_(target: tf.Variable, value: number): tf.Variable {
  checkVariable('constant_', target);
  if (typeof value !== 'number') throw new TypeError(`constant_: value must be a number, got ${typeof value}`);
  tf.tidy(() => target.assign(tf.fill(target.shape, value, target.dtype)));
  return target;
}

/** `nn.init.zeros_(tensor)`: sets the parameter to zeros; returns it. */
export function zeros_(target: tf.Variable): tf.Variable {
  return constant_(target, 0);
}

/** `nn.init.ones_(tensor)`: sets the parameter to ones; returns it. */
export function ones_(target: tf.Variable): tf.Variable {
  return constant_(target, 1);
}

/**
 * The helpers under PyTorch's namespace name, for code that reads like the original:
 * `init.constant_(p, 0.3)`, `init.uniform_(p, -0.1, 0.1)`.
 */
export const init = { constant_, zeros_, ones_, uniform_, normal_ } as const;
