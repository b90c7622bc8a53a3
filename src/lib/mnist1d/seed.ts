/**
 * The global generator, like NumPy's `np.random` module state: the transforms draw from it unless
 * given a generator, and `setSeed` (`mnist1d.utils.set_seed`, which calls `np.random.seed`) seeds it.
 */
import { RandomState } from '../random/numpy-random-state.js';

const global = new RandomState();

/** `set_seed(seed)`: seeds the global generator like `np.random.seed(seed)`. */
export function setSeed(seed: number): void {
  global.seed(seed);
}

/** The global generator (the counterpart of NumPy's module-level `np.random` state). */
export function globalRandomState(): RandomState {
  return global;
}
