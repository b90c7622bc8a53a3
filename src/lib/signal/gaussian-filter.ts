/**
 * SciPy's `scipy.ndimage.gaussian_filter1d` / `gaussian_filter` for 1-D float64 signals, order 0
 * (smoothing), in SciPy 1.10's arithmetic:
 *
 * - radius `int(truncate * sigma + 0.5)` (truncate 4.0 by default);
 * - kernel `exp(-0.5 / sigma^2 * x^2)` for x = -radius..radius, divided by its (NumPy pairwise) sum;
 * - `correlate1d` with the symmetric-kernel loop of `NI_Correlate1D`
 *   (`out = in[0] * w[0]; for j = -r..-1: out += (in[j] + in[-j]) * w[j]`);
 * - boundary modes `reflect` (d c b a | a b c d | d c b a, the default), `mirror`, `nearest`,
 *   `wrap` and `constant` (with `cval`).
 *
 * `gaussian_filter` of a 1-D array is `gaussian_filter1d` along its only axis (a copy when sigma is
 * 0). Math.exp may differ from NumPy's exp in the last bit, so results match to about 1e-16.
 */
import { pairwiseSum } from './numpy-sum.js';

export type BoundaryMode = 'reflect' | 'mirror' | 'nearest' | 'wrap' | 'constant';

export interface GaussianFilterOptions {
  mode?: BoundaryMode;
  cval?: number;
  truncate?: number;
  /** Overrides `int(truncate * sigma + 0.5)` (SciPy >= 1.10's `radius`). */
  radius?: number;
}

/** The normalised kernel `_gaussian_kernel1d(sigma, 0, radius)` (symmetric, length 2 radius + 1). */
export function gaussianKernel1d(sigma: number, radius: number): Float64Array {
  const sigma2 = sigma * sigma;
  const c = -0.5 / sigma2;
  const phi = new Float64Array(2 * radius + 1);
  for (let i = 0; i < phi.length; i++) {
    const x = i - radius;
    phi[i] = Math.exp(c * (x * x));
  }
  const sum = pairwiseSum(phi);
  for (let i = 0; i < phi.length; i++) phi[i] = phi[i]! / sum;
  return phi;
}

/** Index into [0, n) for a position outside it, per boundary mode (-1 means cval). */
function boundaryIndex(i: number, n: number, mode: BoundaryMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'reflect': {
      const p = 2 * n;
      const m = ((i % p) + p) % p;
      return m < n ? m : p - 1 - m;
    }
    case 'mirror': {
      if (n === 1) return 0;
      const p = 2 * n - 2;
      const m = ((i % p) + p) % p;
      return m < n ? m : p - m;
    }
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'wrap':
      return ((i % n) + n) % n;
    case 'constant':
      return -1;
  }
}

/** `scipy.ndimage.gaussian_filter1d(input, sigma, order=0, mode, cval, truncate)` for a 1-D signal. */
export function gaussianFilter1d(input: ArrayLike<number>, sigma: number, options: GaussianFilterOptions = {}): Float64Array {
  const { mode = 'reflect', cval = 0, truncate = 4.0 } = options;
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`sigma must be a finite number >= 0, got ${sigma}`);
  const radius = options.radius ?? Math.trunc(truncate * sigma + 0.5);
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`radius must be a non-negative integer, got ${radius}`);
  const n = input.length;
  const weights = gaussianKernel1d(sigma, radius);
  // the line buffer extended by `radius` values on either side
  const ext = new Float64Array(n + 2 * radius);
  for (let i = -radius; i < n + radius; i++) {
    const k = boundaryIndex(i, n, mode);
    ext[i + radius] = k < 0 ? cval : input[k]!;
  }
  const out = new Float64Array(n);
  const w0 = weights[radius]!;
  for (let l = 0; l < n; l++) {
    const c = l + radius;
    let acc = ext[c]! * w0;
    for (let j = -radius; j < 0; j++) acc += (ext[c + j]! + ext[c - j]!) * weights[radius + j]!;
    out[l] = acc;
  }
  return out;
}

/** `scipy.ndimage.gaussian_filter(input, sigma)` for a 1-D signal. */
export function gaussianFilter(input: ArrayLike<number>, sigma: number, options: GaussianFilterOptions = {}): Float64Array {
  if (sigma > 1e-15) return gaussianFilter1d(input, sigma, options);
  return Float64Array.from(input);
}
