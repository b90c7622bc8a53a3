/**
 * The MNIST-1D transformations (mnist1d/transform.py), drawing from NumPy-compatible random numbers
 * in the same order as the Python package. Each takes an optional generator; by default the global
 * one that `setSeed` seeds.
 */
import type { RandomState } from '../random/numpy-random-state.js';
import { gaussianFilter } from '../signal/gaussian-filter.js';
import { interp1dLinear } from '../signal/interp.js';
import { linspace } from '../signal/linspace.js';
import type { DatasetArgs } from './args.js';
import { globalRandomState } from './seed.js';

type Signal = ArrayLike<number>;

/** `pad(x, padding)`: appends `low + int(rand() * (high - low + 1))` zeros. */
export function pad(x: Signal, padding: readonly [number, number], rng: RandomState = globalRandomState()): Float64Array {
  const [low, high] = padding;
  const p = low + Math.trunc(rng.rand() * (high - low + 1));
  const out = new Float64Array(x.length + Math.max(0, p));
  out.set(Array.from(x));
  return out;
}

/** `shear(x, scale)`: subtracts `scale * (rand() - 0.5) * linspace(-0.5, 0.5, len(x))`. */
export function shear(x: Signal, scale = 10, rng: RandomState = globalRandomState()): Float64Array {
  const coeff = scale * (rng.rand() - 0.5);
  const ramp = linspace(-0.5, 0.5, x.length);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - coeff * ramp[i]!;
  return out;
}

/**
 * `translate(x, max_translation)`: `k = choice(max_translation)`, then
 * `concatenate([x[-k:], x[:-k]])` (a roll by k; unchanged when k is 0 or k >= len(x), as slicing gives).
 */
export function translate(x: Signal, maxTranslation: number, rng: RandomState = globalRandomState()): Float64Array {
  const k = rng.choice(maxTranslation);
  const n = x.length;
  const out = new Float64Array(n);
  if (k === 0 || k >= n) {
    for (let i = 0; i < n; i++) out[i] = x[i]!;
  } else {
    for (let i = 0; i < n; i++) out[i] = x[(i - k + n) % n]!;
  }
  return out;
}

/** `corr_noise_like(x, scale)`: `gaussian_filter(scale * randn(len(x)), 2)`. */
export function corrNoiseLike(x: Signal, scale: number, rng: RandomState = globalRandomState()): Float64Array {
  const noise = rng.randn(x.length);
  for (let i = 0; i < noise.length; i++) noise[i] = scale * noise[i]!;
  return gaussianFilter(noise, 2);
}

/** `iid_noise_like(x, scale)`: `scale * randn(len(x))`. */
export function iidNoiseLike(x: Signal, scale: number, rng: RandomState = globalRandomState()): Float64Array {
  const noise = rng.randn(x.length);
  for (let i = 0; i < noise.length; i++) noise[i] = scale * noise[i]!;
  return noise;
}

/** `interpolate(x, N)`: linear resampling of x (on linspace(0, 1, len(x))) at linspace(0, 1, N). */
export function interpolate(x: Signal, n: number): Float64Array {
  return interp1dLinear(linspace(0, 1, x.length), x, linspace(0, 1, n));
}

/**
 * `transform(x, y, args, eps)`: pad, dilate, scale, translate, correlated noise where the signal is
 * zero, iid noise, shear, subsample to `finalSeqLength`. `y` is the time axis, resampled alongside.
 * Returns `[newX, newY]`.
 */
export function transform(
  x: Signal,
  y: Signal,
  args: Pick<DatasetArgs, 'padding' | 'templateLen' | 'scaleCoeff' | 'maxTranslation' | 'corrNoiseScale' | 'iidNoiseScale' | 'shearScale' | 'finalSeqLength'>,
  eps = 1e-8,
  rng: RandomState = globalRandomState(),
): [Float64Array, Float64Array] {
  const shifted = Float64Array.from(x, (v) => v + eps);
  const dilated = args.templateLen + args.padding[1];
  let newX = pad(shifted, args.padding, rng);
  newX = interpolate(newX, dilated);
  let newY = interpolate(y, dilated);
  const s = 1 + args.scaleCoeff * (rng.rand() - 0.5);
  for (let i = 0; i < newX.length; i++) newX[i] = newX[i]! * s;
  newX = translate(newX, args.maxTranslation, rng);

  const corr = corrNoiseLike(newX, args.corrNoiseScale, rng);
  for (let i = 0; i < newX.length; i++) if (newX[i] === 0) newX[i] = corr[i]!;
  const iid = iidNoiseLike(newX, args.iidNoiseScale, rng);
  for (let i = 0; i < newX.length; i++) newX[i] = newX[i]! + iid[i]!;

  newX = shear(newX, args.shearScale, rng);
  newX = interpolate(newX, args.finalSeqLength);
  newY = interpolate(newY, args.finalSeqLength);
  return [newX, newY];
}
