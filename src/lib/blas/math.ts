/**
 * Scalar sigmoid and tanh for the fused kernels (./rnn.ts), in double precision for float32
 * results, 2-4x faster than `1 / (1 + Math.exp(-x))` and `Math.tanh` in V8:
 * - `sigmoid` uses exp(v) = 2^(k/32) * e^r with |r| <= ln2/64, 2^(k/32) from two tables and e^r by
 *   a degree-4 polynomial (relative error below 1e-9), within 1 float32 ulp of the exact result;
 * - `tanh` is Eigen's float tanh (what TensorFlow uses, as in ./elementwise.ts): a 13/6 rational
 *   function on [-7.9988, 7.9988], x itself below 4e-4; within 2 float32 ulps.
 */

/** 2^(i - 200) for i < 420. */
const P2 = Float64Array.from({ length: 420 }, (_, i) => Math.pow(2, i - 200));
/** 2^(j / 32) for j < 32. */
const T32 = Float64Array.from({ length: 32 }, (_, j) => Math.pow(2, j / 32));

/** e^v for v in double precision (clamped to [-104, 89]: the float32 result is 0 or Infinity beyond). */
export function exp(v: number): number {
  if (v > 89) v = 89;
  else if (v < -104) v = -104;
  // k = round(v * 32 / ln 2), r = v - k * ln2 / 32
  const kf = v * 46.16624130844683 + 6755399441055744 - 6755399441055744;
  const r = v - kf * 0.02166084939249829;
  const k = kf | 0;
  return (1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * 0.041666666666666664)))) * T32[k & 31]! * P2[(k >> 5) + 200]!;
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + exp(-x));
}

/** tanh(x) (NaN passes through). */
export function tanh(x: number): number {
  if (x < 0.0004 && x > -0.0004) return x;
  let t = x;
  if (t > 7.99881172180175781) t = 7.99881172180175781;
  else if (t < -7.99881172180175781) t = -7.99881172180175781;
  const t2 = t * t;
  let p = t2 * -2.76076847742355e-16 + 2.00018790482477e-13;
  p = t2 * p + -8.60467152213735e-11;
  p = t2 * p + 5.12229709037114e-8;
  p = t2 * p + 1.48572235717979e-5;
  p = t2 * p + 6.37261928875436e-4;
  p = t2 * p + 4.89352455891786e-3;
  const q = ((t2 * 1.19825839466702e-6 + 1.18534705686654e-4) * t2 + 2.268434632439e-3) * t2 + 4.89352518554385e-3;
  return (t * p) / q;
}
