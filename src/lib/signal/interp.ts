/**
 * Linear interpolation as SciPy 1.10's `interp1d(x, y, kind='linear')` computes it for 1-D float64
 * data: it delegates to `np.interp` (numpy/core/src/multiarray/compiled_base.c), i.e. for each new
 * point the segment `j` with `x[j] <= v < x[j+1]` (binary search), the exact value `y[j]` when
 * `x[j] == v` or at the last point, else `slope * (v - x[j]) + y[j]` with
 * `slope = (y[j+1] - y[j]) / (x[j+1] - x[j])`.
 */

/** `np.interp(xNew, x, y)` (x increasing; values outside take the end values). */
export function npInterp(xNew: ArrayLike<number>, x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  if (n === 0) throw new RangeError('array of sample points is empty');
  if (y.length !== n) throw new RangeError(`fp and xp are not of the same length (${y.length} != ${n})`);
  const out = new Float64Array(xNew.length);
  for (let i = 0; i < xNew.length; i++) {
    const v = xNew[i]!;
    if (Number.isNaN(v)) {
      out[i] = v;
      continue;
    }
    if (n === 1) {
      out[i] = y[0]!;
      continue;
    }
    if (v > x[n - 1]!) {
      out[i] = y[n - 1]!;
      continue;
    }
    if (v < x[0]!) {
      out[i] = y[0]!;
      continue;
    }
    // largest j with x[j] <= v
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (x[mid]! <= v) lo = mid;
      else hi = mid - 1;
    }
    const j = lo;
    if (j === n - 1 || x[j] === v) {
      out[i] = y[j]!;
    } else {
      const slope = (y[j + 1]! - y[j]!) / (x[j + 1]! - x[j]!);
      let r = slope * (v - x[j]!) + y[j]!;
      if (Number.isNaN(r)) {
        r = slope * (v - x[j + 1]!) + y[j + 1]!;
        if (Number.isNaN(r) && y[j] === y[j + 1]) r = y[j]!;
      }
      out[i] = r;
    }
  }
  return out;
}

/**
 * `scipy.interpolate.interp1d(x, y, kind='linear')(xNew)` for 1-D data (`bounds_error` as in SciPy:
 * points outside [x[0], x[-1]] are an error).
 */
export function interp1dLinear(x: ArrayLike<number>, y: ArrayLike<number>, xNew: ArrayLike<number>): Float64Array {
  if (x.length < 2) throw new RangeError('x and y arrays must have at least 2 entries');
  if (y.length !== x.length) throw new RangeError(`x and y arrays must be equal in length along interpolation axis (${x.length} != ${y.length})`);
  for (let i = 1; i < x.length; i++) {
    if (!(x[i]! > x[i - 1]!)) throw new RangeError('x must be strictly increasing');
  }
  for (let i = 0; i < xNew.length; i++) {
    const v = xNew[i]!;
    if (v < x[0]!) throw new RangeError(`A value (${v}) in x_new is below the interpolation range's minimum value (${x[0]}).`);
    if (v > x[x.length - 1]!) throw new RangeError(`A value (${v}) in x_new is above the interpolation range's maximum value (${x[x.length - 1]}).`);
  }
  return npInterp(xNew, x, y);
}
