/**
 * The Mersenne Twister MT19937 (Matsumoto & Nishimura), the bit generator behind both
 * NumPy's legacy `RandomState` and PyTorch's CPU generator. Both seed an integer with
 * `init_genrand(s)` (`torch.manual_seed(s)`, `np.random.seed(s)` for an integer `s`);
 * NumPy seeds an array of integers with `init_by_array`.
 */
const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private mti = N + 1;

  /** Seeds like `init_genrand(seed)` (the reference C code and `std::mt19937(seed)`). */
  static fromSeed(seed: number): MT19937 {
    const g = new MT19937();
    g.initGenrand(seed);
    return g;
  }

  /** Seeds like `init_by_array(key)` (NumPy's `RandomState(array)`). */
  static fromKey(key: ArrayLike<number>): MT19937 {
    const g = new MT19937();
    g.initByArray(key);
    return g;
  }

  initGenrand(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`MT19937 seed must be a non-negative integer, got ${seed}`);
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing precision
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
  }

  initByArray(key: ArrayLike<number>): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    const len = key.length;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + (key[j]! >>> 0) + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30);
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1]!;
        i = 1;
      }
    }
    mt[0] = 0x80000000;
    this.mti = N;
  }

  private twist(): void {
    const mt = this.mt;
    let kk = 0;
    for (; kk < N - M; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; kk < N - 1; kk++) {
      const y = (mt[kk]! & UPPER_MASK) | (mt[kk + 1]! & LOWER_MASK);
      mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (mt[N - 1]! & UPPER_MASK) | (mt[0]! & LOWER_MASK);
    mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.mti = 0;
  }

  /** The next 32-bit word, as an unsigned integer. */
  nextUint32(): number {
    if (this.mti >= N) {
      if (this.mti === N + 1) this.initGenrand(5489);
      this.twist();
    }
    let y = this.mt[this.mti++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A copy of the full state, to save and restore a stream. */
  getState(): { key: Uint32Array; pos: number } {
    return { key: this.mt.slice(), pos: this.mti };
  }

  setState(state: { key: ArrayLike<number>; pos: number }): void {
    if (state.key.length !== N) throw new RangeError(`MT19937 state needs ${N} words, got ${state.key.length}`);
    this.mt.set(state.key);
    this.mti = state.pos;
  }
}
