/** Comparing arrays of numbers: the largest absolute difference, the fraction bit-identical. */

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export function maxAbsDiff2(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  if (a.length !== b.length) throw new Error(`rows ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, maxAbsDiff(a[i]!, b[i]!));
  return m;
}

/** Fraction of values that are bit-identical. */
export function identicalFraction(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let same = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[i]!.length; j++) {
      n++;
      if (Object.is(a[i]![j], b[i]![j])) same++;
    }
  }
  return same / n;
}
