/**
 * Scalar sigmoid and tanh for the fused recurrent kernels (./rnn.ts), in double precision for
 * float32 results, 2-4x faster than `1 / (1 + Math.exp(-x))` and `Math.tanh` in V8. They are the
 * formulas of the elementwise Sigmoid / Tanh kernels (./unary.ts: EXP, TANH), so a fused
 * layer activates exactly as the same equations written with tfjs ops do, and the SIMD module
 * (./simd.ts) computes them bit for bit:
 * - `sigmoid`: exp(v) for v clamped to [-104, 104] as 2^k * e^r with |r| <= ln2/2, e^r by its
 *   degree-7 Taylor polynomial (relative error below 6e-9), 2^k from a table;
 * - `tanh` is Eigen's float tanh (what TensorFlow uses): a 13/6 rational function on
 *   [-7.9988, 7.9988], x itself below 4e-4; within 2 float32 ulps.
 */

/** 2^(i - 200) for i < 420. */
const P2 = Float64Array.from({ length: 420 }, (_, i) => Math.pow(2, i - 200));

/** e^v for v clamped to [-104, hi] (NaN passes). */
function expClamped(v: number, hi: number): number {
  if (v > hi) v = hi;
  else if (v < -104) v = -104;
  const k = (v * 1.4426950408889634 + 6755399441055744) - 6755399441055744;
  const r = v - k * 0.6931471805599453;
  return (1 + r * (1 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 0.0001984126984126984))))))) * P2[(k + 200) | 0]!;
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + expClamped(-x, 104));
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
