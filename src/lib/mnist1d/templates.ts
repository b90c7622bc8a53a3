/** `get_templates()`: the ten 12-point digit templates of MNIST-1D (mnist1d/data.py). */
import { linspace } from '../signal/linspace.js';
import { pairwiseSum } from '../signal/numpy-sum.js';

export interface Templates {
  /** 10 templates of 12 values: whitened, starting at 0, divided by 6. */
  x: number[][];
  /** `np.linspace(-5, 5, 12) / 6`. */
  t: number[];
  /** The labels 0..9. */
  y: number[];
}

const DIGITS: readonly (readonly number[])[] = [
  [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
  [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
  [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
  [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
  [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
  [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
  [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
  [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
  [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
];

/** `get_templates()`, computed in NumPy's arithmetic (a fresh copy on each call). */
export function getTemplates(): Templates {
  const x = DIGITS.map((d) => {
    const n = d.length;
    const row = Float64Array.from(d);
    const mean = pairwiseSum(row) / n; // x -= x.mean(1, keepdims=True)
    for (let i = 0; i < n; i++) row[i] = row[i]! - mean;
    const m2 = pairwiseSum(row) / n; // x /= x.std(1, keepdims=True)
    const sq = row.map((v) => (v - m2) * (v - m2));
    const std = Math.sqrt(pairwiseSum(sq) / n);
    for (let i = 0; i < n; i++) row[i] = row[i]! / std;
    const first = row[0]!; // x -= x[:, :1]
    for (let i = 0; i < n; i++) row[i] = row[i]! - first;
    return Array.from(row, (v) => v / 6);
  });
  const t = Array.from(linspace(-5, 5, DIGITS[0]!.length), (v) => v / 6);
  return { x, t, y: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] };
}
