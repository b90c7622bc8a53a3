/**
 * NumPy's float64 summation order, so sums, means and standard deviations match NumPy to the bit.
 *
 * `np.add.reduce` runs pairwise summation (`DOUBLE_pairwise_sum` in numpy/core/src/umath/loops_utils.h:
 * fewer than 8 values are added in order; up to 128 with 8 interleaved accumulators; more are split in
 * two halves at a multiple of 8). A full reduction goes through NumPy's buffered iterator, which hands
 * the loop chunks of at most 8192 elements (the default buffer size): numpy 1.24 adds the pairwise sums
 * of consecutive 8192-element chunks in order. (NumPy 2 sums a contiguous array in one pairwise pass;
 * the two differ only in the last bits.)
 */
const PW_BLOCKSIZE = 128;
const BUFSIZE = 8192;

/** `DOUBLE_pairwise_sum` over `a[start .. start + n)`. */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[start]!, r1 = a[start + 1]!, r2 = a[start + 2]!, r3 = a[start + 3]!;
    let r4 = a[start + 4]!, r5 = a[start + 5]!, r6 = a[start + 6]!, r7 = a[start + 7]!;
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const o = start + i;
      r0 += a[o]!; r1 += a[o + 1]!; r2 += a[o + 2]!; r3 += a[o + 3]!;
      r4 += a[o + 4]!; r5 += a[o + 5]!; r6 += a[o + 6]!; r7 += a[o + 7]!;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** `np.sum(a)` of a contiguous float64 array as numpy 1.24 computes it (8192-element chunks). */
export function npSum(a: ArrayLike<number>): number {
  let res = 0;
  for (let s = 0; s < a.length; s += BUFSIZE) res += pairwiseSum(a, s, Math.min(BUFSIZE, a.length - s));
  return res;
}

/** `np.mean(a)`: `sum / n`. */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}

/** `np.std(a)` (ddof 0): `sqrt(sum((a - mean)^2) / n)`, in NumPy's order. */
export function npStd(a: ArrayLike<number>): number {
  const mean = npMean(a);
  const sq = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - mean;
    sq[i] = d * d;
  }
  return Math.sqrt(npSum(sq) / a.length);
}
