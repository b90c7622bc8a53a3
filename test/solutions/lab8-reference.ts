/**
 * tfjs-independent references for the grading tests: the three cells' forward passes written
 * straight from the formulas with plain loops in Float64.
 */
export type Mat = number[][];

export interface CellParams {
  /** D x kH */
  weight_xh: Mat;
  /** H x kH */
  weight_hh: Mat;
  bias_xh: number[];
  bias_hh: number[];
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** a (1 x n) · W (n x m) + b, for one row. */
function affine(a: number[], W: Mat, b: number[]): number[] {
  const out = b.slice();
  for (let i = 0; i < a.length; i++) for (let j = 0; j < out.length; j++) out[j]! += a[i]! * W[i]![j]!;
  return out;
}

/** Forward pass of one cell over x [M][T][D]; returns y [M][T][H]. */
export function referenceForward(type: 'vanilla' | 'gru' | 'lstm', p: CellParams, x: number[][][], H: number): number[][][] {
  return x.map((seq) => {
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    const ys: number[][] = [];
    for (const xt of seq) {
      const gx = affine(xt, p.weight_xh, p.bias_xh);
      const gh = affine(h, p.weight_hh, p.bias_hh);
      const next = new Array<number>(H);
      if (type === 'vanilla') {
        for (let j = 0; j < H; j++) next[j] = Math.tanh(gx[j]! + gh[j]!);
      } else if (type === 'gru') {
        for (let j = 0; j < H; j++) {
          const r = sigmoid(gx[j]! + gh[j]!);
          const z = sigmoid(gx[H + j]! + gh[H + j]!);
          const n = Math.tanh(gx[2 * H + j]! + r * gh[2 * H + j]!);
          next[j] = (1 - z) * n + z * h[j]!;
        }
      } else {
        const cn = new Array<number>(H);
        for (let j = 0; j < H; j++) {
          const i = sigmoid(gx[j]! + gh[j]!);
          const f = sigmoid(gx[H + j]! + gh[H + j]!);
          const g = Math.tanh(gx[2 * H + j]! + gh[2 * H + j]!);
          const o = sigmoid(gx[3 * H + j]! + gh[3 * H + j]!);
          cn[j] = f * c[j]! + i * g;
          next[j] = o * Math.tanh(cn[j]!);
        }
        c = cn;
      }
      h = next;
      ys.push(h);
    }
    return ys;
  });
}

/** A deterministic pseudo-random matrix in [-a, a) (not torch's generator: independent of it). */
export function lcgMatrix(rows: number, cols: number, seed: number, a = 1): Mat {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 * a - a;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}
