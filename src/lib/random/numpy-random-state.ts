/**
 * NumPy's legacy `RandomState` (`np.random.seed`, `np.random.rand`, ...), bit for bit, on top of
 * MT19937. Ported from numpy 1.24 (`numpy/random/mtrand.pyx`, `_legacy_seeding` in `_mt19937.pyx`,
 * `src/distributions/distributions.c`, `src/legacy/legacy-distributions.c`):
 *
 * - seeding with an integer is `init_genrand(seed)` and clears the cached Gaussian;
 * - `rand` / `random_sample`: 53-bit doubles `((a >>> 5) * 2^26 + (b >>> 6)) / 2^53`;
 * - `randn` / `standard_normal`: the legacy polar Box–Muller method, which draws pairs and caches
 *   the second value for the next call (the cache is part of the state);
 * - `randint` / `choice(n)` (with replacement, no `p`): bounded integers by masked rejection
 *   sampling (`random_bounded_uint64_fill`, `use_masked=True`), one 32-bit word per try when the
 *   range fits in 32 bits;
 * - `shuffle` / `permutation`: Fisher–Yates from the end with `random_interval` (masked rejection).
 *
 * The Gaussian needs `log`: `correctlyRoundedLog` (double-double) stands in for the C library's, so
 * `randn` matches glibc's NumPy bit for bit except in rare near-midpoint cases (then by one ulp).
 */
import { MT19937 } from './mt19937.js';

/** The full state: Mersenne Twister words and position, plus the cached Gaussian. */
export interface RandomStateState {
  key: Uint32Array;
  pos: number;
  hasGauss: boolean;
  gauss: number;
}

const TWO_POW_32 = 4294967296;

/** Smallest `2^k - 1` that is >= `max` (for `max` < 2^32). */
function mask32(max: number): number {
  let m = max >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

export class RandomState {
  private mt: MT19937;
  private hasGauss = false;
  private gaussCache = 0;

  /** `np.random.RandomState(seed)`; without a seed, seeded from the system's entropy. */
  constructor(seed?: number) {
    this.mt = new MT19937();
    this.seed(seed);
  }

  /** `np.random.seed(seed)` for an integer `0 <= seed < 2^32` (or entropy when omitted). */
  seed(seed?: number): void {
    if (seed === undefined) {
      const key = new Uint32Array(624);
      globalThis.crypto.getRandomValues(key);
      this.mt = MT19937.fromKey(key);
    } else {
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new RangeError(`Seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
      }
      this.mt = MT19937.fromSeed(seed);
    }
    this.hasGauss = false;
    this.gaussCache = 0;
  }

  getState(): RandomStateState {
    const { key, pos } = this.mt.getState();
    return { key, pos, hasGauss: this.hasGauss, gauss: this.gaussCache };
  }

  setState(state: RandomStateState): void {
    this.mt.setState(state);
    this.hasGauss = state.hasGauss;
    this.gaussCache = state.gauss;
  }

  /** The next raw 32-bit word of the generator. */
  nextUint32(): number {
    return this.mt.nextUint32();
  }

  /** One double in [0, 1) with 53 random bits (`next_double`). */
  nextDouble(): number {
    const a = this.mt.nextUint32() >>> 5;
    const b = this.mt.nextUint32() >>> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }

  /** `random_sample()`: one double in [0, 1). */
  randomSample(): number;
  /** `random_sample(size)`: `size` doubles in [0, 1). */
  randomSample(size: number): Float64Array;
  randomSample(size?: number): number | Float64Array {
    if (size === undefined) return this.nextDouble();
    checkSize(size);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.nextDouble();
    return out;
  }

  /** `rand()` / `rand(n)` (1-D only): uniform doubles in [0, 1). */
  rand(): number;
  rand(size: number): Float64Array;
  rand(size?: number): number | Float64Array {
    return size === undefined ? this.nextDouble() : this.randomSample(size);
  }

  /** One standard normal value, legacy polar method with the cached second value (`legacy_gauss`). */
  gauss(): number {
    if (this.hasGauss) {
      const temp = this.gaussCache;
      this.hasGauss = false;
      this.gaussCache = 0;
      return temp;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2.0 * this.nextDouble() - 1.0;
      x2 = 2.0 * this.nextDouble() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 === 0.0);
    const f = Math.sqrt((-2.0 * correctlyRoundedLog(r2)) / r2);
    this.gaussCache = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `randn()` / `randn(n)` (1-D only) / `standard_normal`. */
  randn(): number;
  randn(size: number): Float64Array;
  randn(size?: number): number | Float64Array {
    if (size === undefined) return this.gauss();
    checkSize(size);
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.gauss();
    return out;
  }

  /** `normal(loc, scale)`: `loc + scale * gauss()`. */
  normal(loc = 0, scale = 1): number {
    return loc + scale * this.gauss();
  }

  /** `uniform(low, high)`: `low + (high - low) * next_double()`. */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.nextDouble();
  }

  /**
   * `randint(low, high)` (int64, `high` exclusive; `randint(n)` = `randint(0, n)`), by masked
   * rejection sampling. Ranges up to 2^32 use one 32-bit word per try; larger ranges (up to 2^53) use
   * 64-bit words (`next_uint64` = two words, high first), as NumPy does.
   */
  randint(low: number, high?: number): number {
    if (high === undefined) {
      high = low;
      low = 0;
    }
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new RangeError(`randint bounds must be integers, got ${low}, ${high}`);
    }
    if (low >= high) throw new RangeError(`low >= high (${low} >= ${high})`);
    const rng = high - 1 - low;
    return low + this.boundedMasked(rng);
  }

  /** A value in [0, rng] by masked rejection (`random_bounded_uint64_fill`, masked). */
  private boundedMasked(rng: number): number {
    if (rng === 0) return 0;
    if (rng <= 0xffffffff) {
      if (rng === 0xffffffff) return this.mt.nextUint32();
      const mask = mask32(rng);
      let v: number;
      do v = (this.mt.nextUint32() & mask) >>> 0;
      while (v > rng);
      return v;
    }
    return this.bounded64(rng);
  }

  /** `random_interval(max)`: a value in [0, max] by masked rejection (used by shuffle). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max <= 0xffffffff) {
      const mask = mask32(max);
      let v: number;
      do v = (this.mt.nextUint32() & mask) >>> 0;
      while (v > max);
      return v;
    }
    return this.bounded64(max);
  }

  private bounded64(max: number): number {
    // next_uint64 is (first word << 32) | second word; the 64-bit mask keeps every low bit.
    const hiMask = mask32(Math.floor(max / TWO_POW_32));
    let v: number;
    do {
      const hi = (this.mt.nextUint32() & hiMask) >>> 0;
      const lo = this.mt.nextUint32();
      v = hi * TWO_POW_32 + lo;
    } while (v > max);
    return v;
  }

  /**
   * `choice(a)` for an integer `a` with replacement and uniform probabilities: `randint(0, a)`.
   * With `size`, `size` such draws. With `replace: false`, `permutation(a)[:size]`.
   */
  choice(a: number): number;
  choice(a: number, size: number, replace?: boolean): number[];
  choice(a: number, size?: number, replace = true): number | number[] {
    if (!Number.isInteger(a) || a < 0) throw new RangeError(`a must be a non-negative integer, got ${a}`);
    if (a === 0 && (size === undefined || size > 0)) throw new RangeError('a must be greater than 0 unless no samples are taken');
    if (size === undefined) return this.randint(0, a);
    checkSize(size);
    if (!replace) {
      if (size > a) throw new RangeError("Cannot take a larger sample than population when 'replace=False'");
      return this.permutation(a).slice(0, size);
    }
    const out: number[] = [];
    for (let i = 0; i < size; i++) out.push(this.randint(0, a));
    return out;
  }

  /** `shuffle(x)` in place (1-D): for i from n-1 down to 1, swap x[i] with x[random_interval(i)]. */
  shuffle<T>(x: { length: number; [i: number]: T }): void {
    for (let i = x.length - 1; i >= 1; i--) {
      const j = this.interval(i);
      const tmp = x[i]!;
      x[i] = x[j]!;
      x[j] = tmp;
    }
  }

  /** `permutation(n)`: a shuffled `arange(n)`; `permutation(array)`: a shuffled copy. */
  permutation(n: number): number[];
  permutation<T>(x: readonly T[]): T[];
  permutation<T>(x: number | readonly T[]): (number | T)[] {
    const arr: (number | T)[] = typeof x === 'number' ? rangeOf(x) : x.slice();
    this.shuffle(arr);
    return arr;
  }
}

const SPLIT = 134217729; // 2^27 + 1
const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const SQRT2 = Math.SQRT2;
/**
 * The natural logarithm rounded correctly (to nearest) for normal positive doubles, by double-double
 * arithmetic: x = m 2^k, log m = 2 atanh(s) with s = (m - 1) / (m + 1). The legacy Gaussian calls the C
 * library's `log`; glibc's is correctly rounded except very near rounding midpoints (< 0.52 ulp), while
 * V8's `Math.log` (fdlibm) differs in the last bit for ~5% of inputs. With this, 99.96% of the official
 * MNIST-1D values are bit-identical (81% with Math.log); the rest differ by ~1e-16.
 */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  // x = m * 2^k, m in [sqrt(1/2), sqrt(2))
  let k = Math.floor(Math.log2(x));
  let m = x / 2 ** k;
  if (!Number.isFinite(m) || m === 0) return Math.log(x); // subnormal / extreme: not needed here
  if (m >= 2) { m /= 2; k++; } else if (m < 1) { m *= 2; k--; }
  if (m > SQRT2) { m /= 2; k++; }
  const f = m - 1; // exact
  // s = f / (2 + f) as a double-double
  const dh = 2 + f;
  const dl = f - (dh - 2);
  const q1 = f / dh;
  let c = SPLIT * q1; const qh = c - (c - q1); const ql = q1 - qh;
  c = SPLIT * dh; const hh = c - (c - dh); const hl = dh - hh;
  const p = q1 * dh;
  const pe = ((qh * hh - p) + qh * hl + ql * hh) + ql * hl;
  const r = ((f - p) - pe) - q1 * dl;
  const q2 = r / dh;
  const sh = q1 + q2;
  const sl = q2 - (sh - q1);
  // z = s^2 (double-double)
  c = SPLIT * sh; const sHi = c - (c - sh); const sLo = sh - sHi;
  const zh0 = sh * sh;
  const ze = ((sHi * sHi - zh0) + 2 * sHi * sLo) + sLo * sLo + 2 * sh * sl;
  const zh = zh0 + ze;
  const zl = ze - (zh - zh0);
  // A = 1 + z/3 + (z^2/5 + z^3/7 + ...) with the tail in double
  let tail = 0;
  for (let n = 25; n >= 5; n -= 2) tail = tail * zh + 1 / n;
  tail *= zh * zh;
  // z/3 as double-double
  const t3 = zh / 3;
  c = SPLIT * t3; const t3h = c - (c - t3); const t3l = t3 - t3h;
  const p3 = t3 * 3;
  const p3e = (t3h * 3 - p3) + t3l * 3;
  const t3lo = ((zh - p3) - p3e + zl) / 3;
  // A = 1 + t3 + (t3lo + tail)
  let ah = 1 + t3;
  let al = t3 - (ah - 1) + t3lo + tail;
  const a2 = ah + al; al = al - (a2 - ah); ah = a2;
  // L = 2 * s * A  (double-double)
  c = SPLIT * sh; const x1 = c - (c - sh); const x2 = sh - x1;
  c = SPLIT * ah; const y1 = c - (c - ah); const y2 = ah - y1;
  const mh = sh * ah;
  const me = ((x1 * y1 - mh) + x1 * y2 + x2 * y1) + x2 * y2 + sh * al + sl * ah;
  const Lh = 2 * mh;
  const Ll = 2 * me;
  // k * ln2 (double-double); k*LN2_HI via exact split
  const kh = k * LN2_HI;
  c = SPLIT * LN2_HI; const l1 = c - (c - LN2_HI); const l2 = LN2_HI - l1;
  const ke = (k * l1 - kh) + k * l2; // k is a small integer, k*l1 exact
  const kl = ke + k * LN2_LO;
  // sum
  const s1 = kh + Lh;
  const bb = s1 - kh;
  const e1 = (kh - (s1 - bb)) + (Lh - bb);
  return s1 + (e1 + kl + Ll);
}

function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
}

function rangeOf(n: number): number[] {
  checkSize(n);
  return Array.from({ length: n }, (_, i) => i);
}
